/** The raw-text helpers behind CSV line numbers and strict quote checks. */

import { describe, expect, it } from 'vitest';
import { countBreaks, leadingBreakLength, recordBody, scanRecord } from '../../src/source/csv-scan.js';

describe('countBreaks', () => {
  it.each([
    ['a,b', 0],
    ['a,b\n', 1],
    ['a,"x\r\ny"\r', 2],
    ['a,"x\ry"\n', 2],
    ['\n\r\r\n', 3],
  ])('%j has %i line breaks', (text, n) => {
    expect(countBreaks(text)).toBe(n);
  });

  it('stops at the given offset', () => {
    expect(countBreaks('1,"a\nb\nc"', 5)).toBe(1);
  });
});

describe('leadingBreakLength and recordBody', () => {
  it('separates the skipped empty lines and the record delimiter from the record', () => {
    const raw = '\r\r1,"a\r\nb"\r';
    const lead = leadingBreakLength(raw);
    expect(lead).toBe(2);
    expect(recordBody(raw, lead)).toBe('1,"a\r\nb"');
    expect(recordBody('x,y', 0)).toBe('x,y');
  });
});

describe('scanRecord', () => {
  it.each([
    ['plain', 'a,b,c'],
    ['quoted with delimiter, doubled quotes and a newline', '"a,b","say ""hi""","x\ny"'],
    ['empty quoted and unquoted fields', '"",,""'],
  ])('finds nothing wrong in a valid record: %s', (_label, body) => {
    expect(scanRecord(body, ',')).toEqual({ problem: undefined, openQuote: -1, openField: -1 });
  });

  it('reports a bare quote in an unquoted field', () => {
    expect(scanRecord('1,5" tall,x', ',').problem).toEqual({ kind: 'bare-quote', offset: 3, field: 1 });
  });

  it('reports text after a closing quote, with where that quote opened', () => {
    expect(scanRecord('1,"multi\nline"x,2', ',').problem).toEqual({
      kind: 'after-closing-quote',
      offset: 14,
      field: 1,
      found: 'x',
      openedAt: 2,
    });
  });

  it('finds the quote left open at the end, with a multi-character delimiter', () => {
    const body = 'a||"b"||"c\nd||e';
    expect(scanRecord(body, '||')).toEqual({ problem: undefined, openQuote: 8, openField: 2 });
  });
});
