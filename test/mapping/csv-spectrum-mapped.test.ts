/**
 * csv-spectrum through the reader AND the mapper: every non-empty cell arrives as a trait with exactly
 * the suite's value; empty cells are absent (the default empty-cell policy).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPresent, spectrumDir as suite, spectrumPresent as present } from '../helpers/csv-spectrum.js';
import { Mapper } from '../../src/mapping/mapper.js';
import { getObject } from '../../src/objects/index.js';
import { readRecords } from '../../src/source/index.js';

const names = present
  ? readdirSync(join(suite, 'csvs'))
      .map((f) => basename(f, '.csv'))
      .filter((n) => n !== 'location_coordinates' && existsSync(join(suite, 'json', `${n}.json`)))
  : [];

describe.skipIf(!sharedPresent)('csv-spectrum mapped', () => {
  it('has cases to map', () => {
    expect(present, `csv-spectrum is missing from ${suite}`).toBe(true);
    expect(names.length).toBeGreaterThan(5);
  });

  it.each(names)('%s maps to the suite values, empty cells left out', async (name) => {
    const expected = (JSON.parse(readFileSync(join(suite, 'json', `${name}.json`), 'utf8')) as Array<Record<string, string>>).map((rec) =>
      Object.fromEntries(Object.entries(rec).filter(([, v]) => v !== '')),
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
