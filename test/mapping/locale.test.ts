/** Numbers and dates written the local way: read as the run says, refused with the option to give when it says nothing. */
import { describe, expect, it } from 'vitest';
import { convert } from '../../src/mapping/coerce.js';
import { parseDateFormat, type CellFormat } from '../../src/mapping/locale.js';

const num = (v: string, cells?: CellFormat) => convert(v, 'number', ';', cells);
const date = (v: string, type: 'date' | 'datetime', cells?: CellFormat) => convert(v, type, ';', cells);

describe('--decimal-comma', () => {
  it('reads a decimal comma, with dots or spaces between thousands', () => {
    const c = { decimalComma: true };
    for (const [text, value] of [
      ['1.234,50', 1234.5],
      ['980,00', 980],
      ['-0,5', -0.5],
      ['12.000', 12000],
      ['1 234 567,25', 1234567.25],
      ['1\u00a0234,5', 1234.5],
      ['42', 42],
    ] as const) {
      expect(num(text, c)).toEqual({ ok: true, value });
    }
    expect(num('1.5', c)).toEqual({
      ok: false,
      reason: '"1.5" is not a number written with a decimal comma (--decimal-comma): "." separates thousands there (1.234,5)',
    });
    expect(num('1.23', c).ok).toBe(false);
  });

  it('without it, refuses what a decimal comma wrote, never reading another value', () => {
    expect(num('1.234,50')).toEqual({ ok: false, reason: '"1.234,50" is not a number here: it is written with a decimal comma (1234.5 with --decimal-comma)' });
    expect(num('0,5')).toEqual({ ok: false, reason: '"0,5" is not a number here: it is written with a decimal comma (0.5 with --decimal-comma)' });
    expect(num('1,234')).toEqual({
      ok: false,
      reason: '"1,234" is not a number: its comma is a decimal comma (--decimal-comma reads it as 1.234) or a thousands separator (take it out of the export)',
    });
    expect(num('1.234.567')).toEqual({
      ok: false,
      reason: '"1.234.567" is not a number: dots between groups of digits separate thousands (--decimal-comma reads it so)',
    });
    // A dot decimal is read as ever, unless the file is a ;-separated export and nothing was said.
    expect(num('1.234')).toEqual({ ok: true, value: 1.234 });
    expect(num('1.234', { commaLocale: true })).toEqual({
      ok: false,
      reason: '"1.234" could be 1234 (a dot between thousands, as ";"-separated exports write) or 1.234: say which with --decimal-comma or --no-decimal-comma',
    });
    expect(num('1.234', { commaLocale: true, decimalComma: false })).toEqual({ ok: true, value: 1.234 });
    expect(num('1.5', { commaLocale: true })).toEqual({ ok: true, value: 1.5 });
  });
});

describe('--date-format', () => {
  it('reads dates in the order given, ISO 8601 still, and refuses impossible ones', () => {
    const dmy = { dateFormat: parseDateFormat('DD.MM.YYYY') };
    expect(date('31.12.2026', 'date', dmy)).toEqual({ ok: true, value: '2026-12-31' });
    expect(date('1.2.2027', 'date', dmy)).toEqual({ ok: true, value: '2027-02-01' });
    expect(date('2026-12-31', 'date', dmy)).toEqual({ ok: true, value: '2026-12-31' });
    expect(date('31.02.2026', 'date', dmy)).toEqual({ ok: false, reason: '"31.02.2026" is not a date written DD.MM.YYYY (--date-format), nor ISO 8601' });
    const mdyTime = { dateFormat: parseDateFormat('MM/DD/YYYY HH:mm') };
    expect(date('12/31/2026 23:05', 'datetime', mdyTime)).toEqual({ ok: true, value: '2026-12-31T23:05:00.000Z' });
  });

  it('without it, says which order a date seems to be in', () => {
    expect(date('31.12.2026', 'date')).toEqual({ ok: false, reason: '"31.12.2026" is not an ISO 8601 date: it reads day first: --date-format DD.MM.YYYY' });
    expect(date('12/31/2026', 'date')).toEqual({ ok: false, reason: '"12/31/2026" is not an ISO 8601 date: it reads month first: --date-format MM/DD/YYYY' });
    expect(date('01/02/2026', 'date')).toEqual({
      ok: false,
      reason: '"01/02/2026" is not an ISO 8601 date: day or month first? Give the order: --date-format DD/MM/YYYY or MM/DD/YYYY',
    });
  });

  it('refuses a format that cannot say a date', () => {
    expect(() => parseDateFormat('DD.MM.YY')).toThrow('has "Y" where YYYY, MM, DD, HH, mm, ss or a separator go');
    expect(() => parseDateFormat('DD.MM')).toThrow('needs YYYY, MM and DD');
    expect(() => parseDateFormat('DD.MM.YYYY HH')).toThrow('needs HH and mm together');
    expect(() => parseDateFormat('DD.DD.YYYY')).toThrow('names DD twice');
  });
});
