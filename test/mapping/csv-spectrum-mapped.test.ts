/**
 * csv-spectrum through the reader AND the mapper: every non-empty cell arrives as a trait with exactly
 * the suite's value; empty cells are absent (the default empty-cell policy).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Mapper } from '../../src/mapping/mapper.js';
import { getObject } from '../../src/objects/index.js';
import { readRecords } from '../../src/source/index.js';

const suite = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/testdata/csv-spectrum');
const present = existsSync(join(suite, 'csvs'));
if (!present) console.warn(`csv-spectrum not found at ${suite}: the mapped conformance tests are skipped`);

const names = present
  ? readdirSync(join(suite, 'csvs'))
      .map((f) => basename(f, '.csv'))
      .filter((n) => n !== 'location_coordinates' && existsSync(join(suite, 'json', `${n}.json`)))
  : [];

describe.skipIf(!present)('csv-spectrum mapped', () => {
  it.each(names)('%s maps to the suite values, empty cells left out', async (name) => {
    const expected = (JSON.parse(readFileSync(join(suite, 'json', `${name}.json`), 'utf8')) as Array<Record<string, string>>).map(
      (rec) => Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== '')),
    );
    const mapper = new Mapper(getObject('organization'));
    const mapped = [];
    for await (const r of readRecords({ path: join(suite, 'csvs', `${name}.csv`) })) {
      expect(r.error).toBeUndefined();
      mapped.push(mapper.map(r.data!).record.traits ?? {});
    }
    expect(mapped).toEqual(expected);
  });
});
