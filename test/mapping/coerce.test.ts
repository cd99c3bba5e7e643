import { describe, expect, it } from 'vitest';
import { convert, parseInstant } from '../../src/mapping/coerce.js';

describe('convert', () => {
  it.each([
    ['12', 12],
    [' -3.5 ', -3.5],
    ['1e3', 1000],
    [42, 42],
  ])('number %j -> %j', (input, out) => {
    expect(convert(input, 'number')).toEqual({ ok: true, value: out });
  });

  it.each(['1,000', 'abc', '', '12abc', true])('number rejects %j', (input) => {
    const r = convert(input, 'number');
    expect(r.ok).toBe(false);
  });

  it.each([
    ['true', true],
    ['YES', true],
    ['0', false],
    ['n', false],
    [false, false],
  ])('boolean %j -> %j', (input, out) => {
    expect(convert(input, 'boolean')).toEqual({ ok: true, value: out });
  });

  it('boolean rejects maybe, naming the accepted words', () => {
    const r = convert('maybe', 'boolean');
    expect(r).toEqual({ ok: false, reason: expect.stringContaining('true/false') });
  });

  it.each([
    ['2024-02-29', 'date', '2024-02-29'],
    ['2024-02-29', 'datetime', '2024-02-29T00:00:00.000Z'],
    ['2024-03-01T10:20:30Z', 'datetime', '2024-03-01T10:20:30.000Z'],
    ['2024-03-01T10:20:30+0200', 'datetime', '2024-03-01T08:20:30.000Z'],
    ['2024-03-01 10:20', 'datetime', '2024-03-01T10:20:00.000Z'],
    ['1700000000', 'datetime', '2023-11-14T22:13:20.000Z'],
    ['1700000000000', 'datetime', '2023-11-14T22:13:20.000Z'],
  ] as const)('%s as %s -> %s', (input, type, out) => {
    expect(convert(input, type)).toEqual({ ok: true, value: out });
  });

  it.each(['2023-02-29', '2024-13-01', '01/02/2024', 'tomorrow', '2024-01-01T25:00:00Z'])('date rejects %s', (input) => {
    expect(convert(input, 'date').ok).toBe(false);
    expect(parseInstant(input)).toBeNull();
  });

  it.each([9e15, -9e15, 1e300, Number.MAX_VALUE, Number.NaN, Number.POSITIVE_INFINITY])(
    'an epoch number out of the years 0000-9999 (%s) is refused, never thrown on',
    (input) => {
      expect(parseInstant(input)).toBeNull();
      for (const type of ['date', 'datetime'] as const) {
        const r = convert(input, type);
        expect(r).toEqual({
          ok: false,
          reason: expect.stringContaining('is out of range: as epoch seconds or milliseconds it is no date between the years 0000 and 9999'),
        });
      }
    },
  );

  it('the edges of the date range convert', () => {
    expect(convert(253402300799999, 'datetime')).toEqual({ ok: true, value: '9999-12-31T23:59:59.999Z' });
    expect(convert(-62167219200, 'date')).toEqual({ ok: true, value: '0000-01-01' });
    expect(convert(253402300800000, 'datetime').ok).toBe(false);
  });

  it('a number written beyond a double (1e309) is refused: JSON would send it as null', () => {
    expect(convert('1e309', 'number')).toEqual({ ok: false, reason: '"1e309" is too large for a number (JSON would send it as null)' });
    expect(convert(`1${'0'.repeat(400)}`, 'number').ok).toBe(false);
    expect(convert(Number.POSITIVE_INFINITY, 'number')).toEqual({ ok: false, reason: 'Infinity is not a finite number' });
    expect(convert('1e308', 'number')).toEqual({ ok: true, value: 1e308 });
  });

  it('json refuses text whose value cannot be carried: too deep, or a number beyond a double', () => {
    expect(convert('{"a":{"b":1e999}}', 'json')).toEqual({ ok: false, reason: expect.stringContaining('cannot be sent: a.b: a number too large for JSON') });
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    expect(convert(deep, 'json')).toEqual({ ok: false, reason: expect.stringContaining('cannot be sent: [0][0][0][0]...: nested more than 64 levels deep') });
  });

  it('json parses text and passes typed values', () => {
    expect(convert('{"a":[1,2]}', 'json')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(convert({ a: 1 }, 'json')).toEqual({ ok: true, value: { a: 1 } });
    expect(convert('{bad', 'json').ok).toBe(false);
  });

  it('stringArray splits on the separator and drops empty parts', () => {
    expect(convert('a; b;;c', 'stringArray')).toEqual({ ok: true, value: ['a', 'b', 'c'] });
    expect(convert('a|b', 'stringArray', '|')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(convert(['x', 2], 'stringArray')).toEqual({ ok: true, value: ['x', '2'] });
    expect(convert([{}], 'stringArray').ok).toBe(false);
  });
});
