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
