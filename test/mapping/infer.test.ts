import { describe, expect, it } from 'vitest';
import { convertInferred, inferType } from '../../src/mapping/infer.js';
import { parseDateFormat } from '../../src/mapping/locale.js';

describe("push's types from a column's values", () => {
  it.each([
    ['integers and decimals', ['1200', '99.5', '-3', '0', ''], 'number'],
    ['true and false, any case', ['true', 'FALSE', 'True'], 'boolean'],
    ['ISO dates', ['2026-12-31', '2027-01-15'], 'date'],
    ['dates and date-times', ['2026-12-31', '2026-11-20T09:15:00Z', '2026-11-20 09:15'], 'datetime'],
    ['values already typed (NDJSON)', [3, 4.5], 'number'],
  ] as const)('%s', (_what, values, type) => {
    expect(inferType([...values], 'push').type).toBe(type);
  });

  it.each([
    ['zip codes with a leading zero', ['02134', '10001']],
    ['ids longer than a number holds exactly', ['12345678901234567890', '12']],
    ['numbers as few people write them', ['1e3', '+7', '.5', '5.']],
    ['yes and no (init proposes them as booleans; push does not guess)', ['yes', 'no']],
    ['JSON text', ['{"a":1}']],
    ['mixed values', ['1', 'two']],
    ['impossible dates', ['2026-02-30']],
  ])('keeps %s as text', (_what, values) => {
    expect(inferType([...values], 'push').type).toBeUndefined();
  });

  it("init's proposals stay lenient", () => {
    expect(inferType(['yes', 'no']).type).toBe('boolean');
    expect(inferType(['1e3']).type).toBe('number');
  });

  it("init's proposals keep a number with more digits than a double holds exactly as text (a number would round it)", () => {
    expect(inferType(['9007199254740993', '12']).type).toBeUndefined();
    expect(inferType(['12345678901234567.891']).type).toBeUndefined();
    expect(inferType(['123456789012345', '0.000123456789012345']).type).toBe('number');
  });

  it('a later cell must be of its column kind by the same rules, else its row fails', () => {
    expect(convertInferred('1200', 'number')).toEqual({ ok: true, value: 1200 });
    expect(convertInferred('2026-12-31', 'datetime')).toEqual({ ok: true, value: '2026-12-31T00:00:00.000Z' });
    expect(convertInferred('TRUE', 'boolean')).toEqual({ ok: true, value: true });
    expect(convertInferred('n/a', 'number')).toEqual({ ok: false, reason: '"n/a" is not a number' });
    expect(convertInferred('02134', 'number')).toEqual({ ok: false, reason: '"02134" is not a number' });
    expect(convertInferred('yes', 'boolean')).toEqual({ ok: false, reason: '"yes" is not true or false' });
    expect(convertInferred('2026-12-31T10:00:00Z', 'date')).toEqual({ ok: false, reason: '"2026-12-31T10:00:00Z" is not an ISO 8601 date' });
  });
});

describe('numbers and dates written as the run says (--decimal-comma, --date-format)', () => {
  const comma = { decimalComma: true };
  const dayFirst = { dateFormat: parseDateFormat('DD.MM.YYYY') };

  it.each(['push', 'propose'] as const)('%s: decimal commas are numbers, day-first dates are dates, with their options', (policy) => {
    expect(inferType(['1.234,50', '980,00', '12.000'], policy, comma).type).toBe('number');
    expect(inferType(['31.12.2026', '1.3.2027'], policy, dayFirst).type).toBe('date');
    expect(inferType(['31.12.2026 23:05'], policy, { dateFormat: parseDateFormat('DD.MM.YYYY HH:mm') }).type).toBe('datetime');
    // Without them, text.
    expect(inferType(['1.234,50', '980,00'], policy).type).toBeUndefined();
    expect(inferType(['31.12.2026'], policy).type).toBeUndefined();
  });

  it('plain digits keep their own rules under --decimal-comma: a zip code with a leading zero stays text', () => {
    expect(inferType(['02134', '10001'], 'push', comma).type).toBeUndefined();
    expect(inferType(['12345678901234567890'], 'push', comma).type).toBeUndefined();
    expect(inferType(['42', '1.234,5'], 'push', comma).type).toBe('number');
  });

  it('a later cell is read the same way', () => {
    expect(convertInferred('31.12.2026', 'date', dayFirst)).toEqual({ ok: true, value: '2026-12-31' });
    expect(convertInferred('1.234,50', 'number', comma)).toEqual({ ok: true, value: 1234.5 });
  });
});
