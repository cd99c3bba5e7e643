import { describe, expect, it } from 'vitest';
import { getObject, objectNames, plainlyValid, schemaFor, validate, type MappedRecord, type Phase } from '../../src/objects/index.js';

// Values of every kind a mapped record may hold, valid and invalid for each field type.
const POOL: unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'x',
  'Acme',
  '2024-05-01',
  '2024-05-01T09:00:00Z',
  '2024-05-01T09:00',
  '01/05/2024',
  true,
  false,
  0,
  5,
  2.5,
  Number.NaN,
  Infinity,
  ['a', 'b'],
  [''],
  [],
  [1],
  {},
  { a: 1 },
  // eslint-disable-next-line no-sparse-arrays -- a sparse array: the hole is a value the schema refuses
  ['a', , 'b'],
];
const TRAITS: unknown[] = [undefined, {}, { mrr: 1, plan: null }, [], 'x', null, Object.create(null), { constructor: () => 1 }, { constructor: 'x' }];

const GOOD: Record<string, unknown[]> = {
  string: ['x', 'Acme'],
  number: [0, 7, 2.5],
  datetime: ['2024-05-01T09:00:00Z', '2024-05-01T09:00:00.123+02:00'],
  date: ['2024-05-01', '2024-05-01T09:00:00Z'],
  boolean: [true, false],
  stringArray: [['a'], ['a', 'b']],
  json: [{ a: 1 }, 'x', 0],
};

/**
 * Near-valid records: each field left out or given a valid value of its type, then one field (or the
 * traits) given any value of the pool. Deterministic, so a failure names a record that can be reproduced.
 */
function* records(spec: ReturnType<typeof getObject>, count: number): Generator<MappedRecord> {
  let seed = 42;
  const next = () => (seed = (seed * 16807) % 2147483647);
  const names = Object.keys(spec.fields);
  for (let i = 0; i < count; i++) {
    const rec: MappedRecord = {};
    for (const f of names) {
      const good = GOOD[spec.fields[f]!.type]!;
      if (next() % 3 !== 0) rec[f] = good[next() % good.length];
    }
    const t = TRAITS[next() % TRAITS.length];
    if (t !== undefined) rec.traits = t as Record<string, unknown>;
    const pick = next() % (names.length + 2);
    if (pick < names.length) {
      const v = POOL[next() % POOL.length];
      if (v === undefined) delete rec[names[pick]!];
      else rec[names[pick]!] = v;
    }
    yield rec;
  }
}

describe('validate: the plain-code fast path never accepts what the schema refuses', () => {
  for (const name of objectNames()) {
    const spec = getObject(name);
    for (const phase of ['create', 'update'] as Phase[]) {
      it(`${name} ${phase}`, () => {
        let fast = 0;
        for (const rec of records(spec, 4000)) {
          const bySchema = schemaFor(spec, phase).safeParse(rec).success ? (spec.check?.(rec, phase) ?? null) : 'invalid';
          const got = validate(spec, rec, phase);
          expect(got === null, JSON.stringify(rec)).toBe(bySchema === null);
          if (plainlyValid(spec, phase, rec)) {
            fast++;
            expect(schemaFor(spec, phase).safeParse(rec).success, JSON.stringify(rec)).toBe(true);
          }
        }
        // The fast path must actually take the common case, or it is dead code.
        expect(fast).toBeGreaterThan(200);
      });
    }
  }
});
