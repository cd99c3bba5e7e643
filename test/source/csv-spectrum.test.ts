/**
 * The public csv-spectrum conformance suite (../shared/testdata/csv-spectrum, read in place): every
 * csvs/<name>.csv must read into exactly the records of json/<name>.json, empty strings included (the
 * reader keeps empty cells; leaving them out is the mapper's job).
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPresent, spectrumDir as suite, spectrumPresent as present } from '../helpers/csv-spectrum.js';
import { readAll } from './helpers.js';

/** location_coordinates is not RFC 4180 (bare quotes in an unquoted field) and its JSON disagrees: see below. */
const EXCEPTIONS = new Set(['location_coordinates']);

const names = present
  ? readdirSync(join(suite, 'csvs'))
      .filter((f) => f.endsWith('.csv'))
      .map((f) => basename(f, '.csv'))
      .filter((n) => !EXCEPTIONS.has(n) && existsSync(join(suite, 'json', `${n}.json`)))
      .sort()
  : [];

describe.skipIf(!sharedPresent)('csv-spectrum', () => {
  it('is in ../shared/testdata/csv-spectrum', () => {
    expect(present, `csv-spectrum is missing from ${suite}`).toBe(true);
  });

  it('has the cases this suite expects', () => {
    expect(names).toEqual(
      expect.arrayContaining(['comma_in_quotes', 'empty', 'empty_crlf', 'escaped_quotes', 'newlines', 'newlines_crlf', 'quotes_and_newlines', 'utf8']),
    );
  });

  it.each(names)('%s reads exactly as its JSON says', async (name) => {
    const expected = JSON.parse(readFileSync(join(suite, 'json', `${name}.json`), 'utf8')) as unknown[];
    const records = await readAll({ path: join(suite, 'csvs', `${name}.csv`) });
    expect(records.filter((r) => r.error)).toEqual([]);
    expect(records.map((r) => r.data)).toEqual(expected);
    expect(records.map((r) => r.row)).toEqual(expected.map((_, i) => i + 1));
  });

  it('gives the start line of each record across multi-line fields (LF and CRLF)', async () => {
    for (const name of ['newlines', 'newlines_crlf']) {
      const records = await readAll({ path: join(suite, 'csvs', `${name}.csv`) });
      expect(records.map((r) => r.line)).toEqual([2, 3, 5]);
    }
    const qn = await readAll({ path: join(suite, 'csvs', 'quotes_and_newlines.csv') });
    expect(qn.map((r) => r.line)).toEqual([2, 5]);
  });

  // The README: its JSON is an object (not a list) with another phone number than the CSV, and the CSV puts
  // bare quotes (37°36'37.8"N) inside an unquoted field. Strict RFC 4180 rejects that; we report the row.
  it('location_coordinates: the bare quotes fail the row with a clear error instead of a guessed value', async () => {
    const path = join(suite, 'csvs', 'location_coordinates.csv');
    const records = await readAll({ path });
    expect(records).toHaveLength(1);
    const [rec] = records;
    expect(rec?.data).toBeUndefined();
    expect(rec?.row).toBe(1);
    expect(rec?.line).toBe(2);
    expect(rec?.fatal).toBeUndefined();
    expect(rec?.error?.code).toBe('CSV_MALFORMED');
    expect(rec?.error?.message).toMatch(/^line 2: bare quote in unquoted field 2 \("Location Coordinates"\)/);
    expect(rec?.raw).toBe(readFileSync(path, 'utf8').split('\n')[1]);
  });
});
