import { describe, expect, it } from 'vitest';
import { RowError } from '../../src/errors.js';
import { Mapper, parseMapFlag } from '../../src/mapping/mapper.js';
import { getObject } from '../../src/objects/index.js';
import { converterFor } from '../../src/schema/types.js';

const account = getObject('account');
const converters = new Map([
  ['vitally.custom.plan', converterFor({ type: 'picklist', options: ['Gold', 'Silver'] })!],
  ['seats', converterFor({ type: 'number' })!],
]);

describe('Mapper with the catalogue', () => {
  it('converts known traits when no explicit type is given; an explicit type wins', () => {
    const m = new Mapper(account, {
      traitConverters: converters,
      map: [parseMapFlag('tier=traits.vitally.custom.plan'), parseMapFlag('n=traits.seats:string')],
    });
    expect(m.map({ externalId: 'a', tier: 'gold', n: '4' }).record.traits).toEqual({ 'vitally.custom.plan': 'Gold', seats: '4' });
    // A seats column beside the one --map sends to traits.seats: two values for one trait, the row fails.
    expect(() => m.map({ externalId: 'a', seats: '3', n: '4' })).toThrow('columns "seats" and "n" both fill traits.seats');
    expect(new Mapper(account, { traitConverters: converters }).map({ seats: '3' }).record.traits).toEqual({ seats: 3 });
  });

  it('fails a row naming the column, the trait, its type and the value', () => {
    const m = new Mapper(account, { traitConverters: converters });
    let err: unknown;
    try {
      m.map({ externalId: 'a', 'traits.vitally.custom.plan': 'Bronze' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RowError);
    expect((err as RowError).message).toBe(
      'column "traits.vitally.custom.plan" -> traits.vitally.custom.plan (picklist): "Bronze" is not one of its options (Gold, Silver)',
    );
    expect((err as RowError).field).toBe('traits.vitally.custom.plan');
  });

  it('tells onTraitKey of each trait key once per column, and of the keys of a traits object; scan converts nothing', () => {
    const heard: string[] = [];
    const m = new Mapper(account, { onTraitKey: (key, column) => heard.push(`${column}>${key}`), map: [parseMapFlag('x=traits.y')], ignore: ['skip'] });
    m.map({ externalId: 'a', name: 'A', plan: 'p', x: '1', skip: 's', traits: { t1: 1 } });
    m.map({ externalId: 'b', plan: 'q', x: '2' });
    expect(heard).toEqual(['plan>plan', 'x>y', 'traits>t1']);
    heard.length = 0;
    new Mapper(account, { onTraitKey: (key) => heard.push(key), traitConverters: converters }).scan({
      seats: 'not a number',
      traits: { z: 1 },
      'traits.k': '',
    });
    expect(heard).toEqual(['seats', 'z', 'k']);
  });
});
