import { describe, expect, it } from 'vitest';
import { ConfigError, RowError } from '../../src/errors.js';
import { Mapper, parseMapFlag, parseMappingFile } from '../../src/mapping/mapper.js';
import { getObject } from '../../src/objects/index.js';

const account = getObject('account');
const user = getObject('user');

describe('Mapper', () => {
  it('fills standard fields by name (case and separators ignored) and makes the rest traits', () => {
    const m = new Mapper(account);
    expect(m.map({ External_ID: 'a1', NAME: 'Acme', mrr: '10', 'traits.tier': 'gold' })).toEqual({
      record: { externalId: 'a1', name: 'Acme', traits: { mrr: '10', tier: 'gold' } },
      refs: {},
    });
  });

  it('renames with --map, converts typed targets and drops ignored columns', () => {
    const m = new Mapper(account, {
      map: [parseMapFlag('id=externalId'), parseMapFlag('company=name'), parseMapFlag('mrr=traits.mrr:number')],
      ignore: ['secret'],
    });
    expect(m.map({ id: 'a1', company: 'Acme', mrr: '12.5', secret: 'x' }).record).toEqual({
      externalId: 'a1',
      name: 'Acme',
      traits: { mrr: 12.5 },
    });
  });

  it('fails a row whose typed cell does not convert, naming the column, target and type', () => {
    const m = new Mapper(account, { map: [parseMapFlag('mrr=traits.mrr:number')] });
    expect(() => m.map({ externalId: 'a', mrr: 'lots' })).toThrowError(RowError);
    expect(() => m.map({ externalId: 'a', mrr: 'lots' })).toThrowError(/column "mrr" -> traits.mrr \(number\): "lots" is not a number/);
  });

  it('leaves empty cells out by default and sends null with --empty null', () => {
    const data = { externalId: 'a', name: 'A', plan: '', organizationId: ' ' };
    expect(new Mapper(account).map(data).record).toEqual({ externalId: 'a', name: 'A' });
    expect(new Mapper(account, { empty: 'null' }).map(data).record).toEqual({
      externalId: 'a',
      name: 'A',
      organizationId: null,
      traits: { plan: null },
    });
  });

  it('keeps JSON types from NDJSON and merges a traits object', () => {
    const m = new Mapper(account);
    expect(m.map({ externalId: 'a', traits: { mrr: 5, gone: null }, seats: 3, beta: true }).record).toEqual({
      externalId: 'a',
      traits: { mrr: 5, gone: null, seats: 3, beta: true },
    });
  });

  it('turns a single accountId column into a one-element array and splits lists', () => {
    const m = new Mapper(user);
    expect(m.map({ externalId: 'u', accountId: 'v-1' }).record).toEqual({ externalId: 'u', accountIds: ['v-1'] });
    expect(m.map({ externalId: 'u', accountIds: 'v-1;v-2', organizationId: 'o-1' }).record).toEqual({
      externalId: 'u',
      accountIds: ['v-1', 'v-2'],
      organizationIds: ['o-1'],
    });
  });

  it('keeps reference columns aside for resolution', () => {
    const m = new Mapper(user);
    expect(m.map({ externalId: 'u', accountExternalId: 'acme;globex' })).toEqual({
      record: { externalId: 'u' },
      refs: { accountExternalId: ['acme', 'globex'] },
    });
  });

  it('converts boolean and date standard fields from CSV text', () => {
    const m = new Mapper(user);
    expect(m.map({ externalId: 'u', unsubscribedFromConversations: 'yes', joinDate: '2024-01-02' }).record).toEqual({
      externalId: 'u',
      unsubscribedFromConversations: true,
      joinDate: '2024-01-02T00:00:00.000Z',
    });
  });

  it('refuses a --map target that is neither a field nor a trait', () => {
    expect(() => new Mapper(account, { map: [parseMapFlag('x=nmae')] })).toThrowError(ConfigError);
    expect(() => new Mapper(account, { map: [parseMapFlag('x=nmae')] })).toThrowError(/write traits.nmae for a trait/);
  });
});

describe('keys that are names on every JavaScript object', () => {
  it('fails a row holding a value under __proto__ (a column, or a key of the traits object), and says what to do', () => {
    const csvLike: Record<string, unknown> = { externalId: 'a', name: 'A' };
    Object.defineProperty(csvLike, '__proto__', { value: 'x', enumerable: true, writable: true, configurable: true });
    const m = new Mapper(account);
    expect(() => m.map(csvLike)).toThrowError(RowError);
    expect(() => m.map(csvLike)).toThrowError(
      'column "__proto__": a trait cannot be named "__proto__" (JavaScript reads that key as an object\'s prototype, so the value would be lost): map the column to another name (--map __proto__=traits.<name>) or drop it (--ignore __proto__)',
    );
    const ndjson = JSON.parse('{"externalId":"a","traits":{"__proto__":{"admin":true},"plan":"x"}}') as Record<string, unknown>;
    expect(() => m.map(ndjson)).toThrowError(/column "traits": holds the key "__proto__", which cannot be a trait name/);
    // An empty cell sends nothing, so nothing is lost: the row goes on.
    const empty: Record<string, unknown> = { externalId: 'b' };
    Object.defineProperty(empty, '__proto__', { value: '', enumerable: true, writable: true, configurable: true });
    expect(m.map(empty).record).toEqual({ externalId: 'b' });
    // Mapped elsewhere, the column is carried.
    const renamed = new Mapper(account, { map: [parseMapFlag('__proto__=traits.proto')] });
    expect(renamed.map(csvLike).record).toEqual({ externalId: 'a', name: 'A', traits: { proto: 'x' } });
    expect(Object.getPrototypeOf(renamed.map(csvLike).record.traits)).toBe(Object.prototype);
  });

  it('carries constructor, prototype and toString as ordinary trait names', () => {
    const data = JSON.parse('{"externalId":"a","constructor":"c","traits":{"prototype":"p","toString":"t"}}') as Record<string, unknown>;
    const { record } = new Mapper(account).map(data);
    expect(record).toEqual({ externalId: 'a', traits: { constructor: 'c', prototype: 'p', toString: 't' } });
    expect(JSON.stringify(record.traits)).toBe('{"constructor":"c","prototype":"p","toString":"t"}');
  });

  it.each([
    ['a=constructor', '"constructor" is not a field of account'],
    ['a=toString', '"toString" is not a field of account'],
    ['a=__proto__', '"__proto__" is not a field of account'],
    ['a=traits.__proto__', 'a trait cannot be named "__proto__"'],
  ])('--map %s is a configuration error, not a trait named "undefined"', (flag, message) => {
    expect(() => new Mapper(account, { map: [parseMapFlag(flag)] })).toThrowError(ConfigError);
    expect(() => new Mapper(account, { map: [parseMapFlag(flag)] })).toThrowError(message);
  });

  it('--map a=traits.constructor is an ordinary trait', () => {
    expect(new Mapper(account, { map: [parseMapFlag('a=traits.constructor')] }).map({ externalId: 'x', a: 'v' }).record.traits).toEqual({ constructor: 'v' });
  });
});

describe('mapping flags and files', () => {
  it.each(['mrr', '=x', 'mrr=', 'mrr=traits.mrr:money'])('rejects --map %s', (v) => {
    expect(() => parseMapFlag(v)).toThrowError(ConfigError);
  });

  it('reads the columns/ignore form and the plain form', () => {
    expect(parseMappingFile({ columns: { a: 'name', b: { target: 'traits.b', type: 'number' } }, ignore: ['c'] }, 'f')).toEqual({
      map: [
        { source: 'a', target: 'name' },
        { source: 'b', target: 'traits.b', type: 'number' },
      ],
      ignore: ['c'],
    });
    expect(parseMappingFile({ a: 'name' }, 'f')).toEqual({ map: [{ source: 'a', target: 'name' }], ignore: [] });
    expect(() => parseMappingFile([], 'f')).toThrowError(/expected a JSON object/);
    expect(() => parseMappingFile({ ignore: 'x' }, 'f')).toThrowError(/"ignore" must be a list/);
  });
});
