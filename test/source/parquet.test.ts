/** The Parquet reader on real files: written by hyparquet-writer here, and one written by DuckDB. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecordBatches } from '../../src/source/index.js';
import { readParquetBatches } from '../../src/source/parquet.js';
import { CODECS, DUCKDB_ACME, DUCKDB_FILE, writeParquet } from '../helpers/parquet.js';
import { readAll, readError, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('parquet');
afterAll(() => tmp.cleanup());
const at = (name: string) => join(tmp.dir, name);

/** One row of every common type, and one of nulls. */
const TYPED = [
  { name: 'id', data: ['a1', 'a2'], type: 'STRING' as const },
  { name: 'seats', data: [3, null], type: 'INT32' as const },
  { name: 'events', data: [12n, null], type: 'INT64' as const },
  { name: 'big', data: [9007199254740993n, null], type: 'INT64' as const },
  { name: 'score', data: [0.25, null], type: 'DOUBLE' as const },
  { name: 'paying', data: [true, null], type: 'BOOLEAN' as const },
  { name: 'seen', data: [new Date('2024-05-01T12:30:45.123Z'), null], type: 'TIMESTAMP' as const },
  { name: 'meta', data: [{ plan: 'gold', n: [1, 2] }, null], type: 'JSON' as const },
];

describe('Parquet', () => {
  it.each(CODECS)('reads typed values from a %s file: numbers, booleans, ISO 8601 times, JSON; nulls are undefined', async (codec) => {
    const path = writeParquet(at(`typed-${codec}.parquet`), TYPED, { codec });
    const recs = await readAll({ path });
    expect(recs.map((r) => ({ row: r.row, line: r.line, error: r.error }))).toEqual([
      { row: 1, line: 0, error: undefined },
      { row: 2, line: 1, error: undefined },
    ]);
    expect(recs[0]!.data).toStrictEqual({
      id: 'a1',
      seats: 3,
      events: 12,
      big: '9007199254740993',
      score: 0.25,
      paying: true,
      seen: '2024-05-01T12:30:45.123Z',
      meta: { plan: 'gold', n: [1, 2] },
    });
    expect(recs[1]!.data).toStrictEqual({
      id: 'a2',
      seats: undefined,
      events: undefined,
      big: undefined,
      score: undefined,
      paying: undefined,
      seen: undefined,
      meta: undefined,
    });
  });

  it('reads a file written by DuckDB (ZSTD): int64, exact decimals, timestamps in microseconds, dates, lists, structs, nulls', async () => {
    const recs = await readAll({ path: DUCKDB_FILE });
    expect(recs.map((r) => r.data)).toStrictEqual([
      { external_id: 'acc-1', name: 'Acme', ...DUCKDB_ACME, comment: undefined },
      {
        external_id: 'acc-2',
        name: 'Globex',
        seats: -7,
        big_id: undefined,
        mrr: -0.5,
        ltv: undefined,
        updated_at: '1999-12-31T23:59:59.000Z',
        renews_on: '1999-12-31',
        active: false,
        tags: [],
        attrs: undefined,
        comment: 'note',
      },
      {
        external_id: 'acc-3',
        name: 'Initech',
        seats: undefined,
        big_id: 1,
        mrr: undefined,
        ltv: 0.001,
        updated_at: undefined,
        renews_on: undefined,
        active: undefined,
        tags: undefined,
        attrs: { tier: null, region: 'us' },
        comment: undefined,
      },
    ]);
    // `line` is the 0-based row index, as DuckDB's file_row_number gives it.
    expect(recs.map((r) => [r.row, r.line])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
  });

  it('reads row group by row group, in batches: rows numbered across groups, line = row index', async () => {
    const n = 10;
    const path = writeParquet(at('groups.parquet'), [{ name: 'id', data: Array.from({ length: n }, (_, i) => `r${i}`), type: 'STRING' }], { rowGroupSize: 4 });
    const batches: Array<Array<[number, number, unknown]>> = [];
    for await (const b of readParquetBatches({ path, label: path, signal: undefined, batchRows: 3 })) {
      batches.push(b.map((r) => [r.row, r.line, r.data?.id]));
    }
    // Groups of 4, 4 and 2 rows, each cut into batches of at most 3.
    expect(batches.map((b) => b.length)).toEqual([3, 1, 3, 1, 2]);
    expect(batches.flat()).toEqual(Array.from({ length: n }, (_, i) => [i + 1, i, `r${i}`]));
  });

  it('fails a row whose value JSON cannot carry (NaN, binary data) alone, with the column and the reason', async () => {
    const path = writeParquet(at('bad.parquet'), [
      { name: 'id', data: ['a', 'b', 'c'], type: 'STRING' },
      { name: 'score', data: [1.5, NaN, 2], type: 'DOUBLE' },
      { name: 'blob', data: [new Uint8Array([104, 105]), new Uint8Array([1]), new Uint8Array([0xff, 0xfe])], type: 'BYTE_ARRAY' },
    ]);
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 0, data: { id: 'a', score: 1.5, blob: 'hi' } },
      { row: 2, line: 1, error: 'column "score": NaN is not a finite number, and JSON has no way to say it' },
      { row: 3, line: 2, error: 'column "blob": binary data (2 bytes, not UTF-8 text) cannot be sent' },
    ]);
    const recs = await readAll({ path });
    expect(JSON.parse(recs[2]!.raw!)).toEqual({ id: 'c', score: 2, blob: '\\xfffe' });
    // An ignored column is not read, so its values fail no row.
    expect(summary(await readAll({ path, ignore: ['score', 'blob'] }))).toEqual([
      { row: 1, line: 0, data: { id: 'a' } },
      { row: 2, line: 1, data: { id: 'b' } },
      { row: 3, line: 2, data: { id: 'c' } },
    ]);
  });

  it('fails a row whose STRING value is not valid UTF-8, rather than sending it with replacement characters', async () => {
    const path = writeParquet(at('bad-utf8.parquet'), [{ name: 'name', data: [new TextEncoder().encode('Zoë'), new Uint8Array([0x5a, 0xff, 0xfe])] }], {
      schema: [
        { name: 'root', num_children: 1 },
        { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      ],
    });
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 0, data: { name: 'Zoë' } },
      { row: 2, line: 1, error: 'column "name": text that is not valid UTF-8 (3 bytes) cannot be sent as it is' },
    ]);
  });

  it('reads DECIMAL and TIME columns exactly (not through a rounded double)', async () => {
    const path = writeParquet(
      at('exact.parquet'),
      [
        { name: 'amount', data: [123456789012345678n, -5n, 1000n] },
        { name: 'at', data: [45296789, 0, 86399999] },
      ],
      {
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'amount', type: 'INT64', converted_type: 'DECIMAL', scale: 3, precision: 18, repetition_type: 'REQUIRED' },
          { name: 'at', type: 'INT32', converted_type: 'TIME_MILLIS', repetition_type: 'REQUIRED' },
        ],
      },
    );
    expect((await readAll({ path })).map((r) => r.data)).toEqual([
      { amount: '123456789012345.678', at: '12:34:56.789' },
      { amount: -0.005, at: '00:00:00.000' },
      { amount: 1, at: '23:59:59.999' },
    ]);
  });

  it('reads DECIMAL and TIME values nested in lists, maps and structs exactly too', async () => {
    const decimal = { type: 'FIXED_LEN_BYTE_ARRAY', type_length: 16, converted_type: 'DECIMAL', precision: 38, scale: 3 } as const;
    const path = writeParquet(
      at('nested-exact.parquet'),
      [
        { name: 'amounts', data: [[12345678901234567891n, null, 5n], null] },
        { name: 'byRegion', data: [{ eu: 12345678901234567891n, us: null }, null] },
        { name: 'visits', data: [[{ at: 3723001, score: 1.5 }, null], null] },
      ],
      {
        schema: [
          { name: 'root', num_children: 3 },
          { name: 'amounts', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', repetition_type: 'OPTIONAL', ...decimal },
          { name: 'byRegion', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
          { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
          { name: 'key', repetition_type: 'REQUIRED', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
          { name: 'value', repetition_type: 'OPTIONAL', ...decimal },
          { name: 'visits', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
          { name: 'at', repetition_type: 'OPTIONAL', type: 'INT32', converted_type: 'TIME_MILLIS' },
          { name: 'score', repetition_type: 'OPTIONAL', type: 'DOUBLE' },
        ],
      },
    );
    expect((await readAll({ path })).map((r) => r.data)).toStrictEqual([
      {
        amounts: ['12345678901234567.891', null, 0.005],
        byRegion: { eu: '12345678901234567.891', us: null },
        visits: [{ at: '01:02:03.001', score: 1.5 }, null],
      },
      { amounts: undefined, byRegion: undefined, visits: undefined },
    ]);
  });

  it('refuses a column of a type it cannot read before any row, naming it and the way out', async () => {
    const path = writeParquet(
      at('interval.parquet'),
      [
        { name: 'id', data: ['a'] },
        { name: 'span', data: [new Uint8Array(12)] },
      ],
      {
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
          { name: 'span', type: 'FIXED_LEN_BYTE_ARRAY', type_length: 12, converted_type: 'INTERVAL', repetition_type: 'OPTIONAL' },
        ],
      },
    );
    const err = await readError({ path });
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT_UNREADABLE' });
    expect(err.message).toBe(`${path}: column "span" holds INTERVAL values, which cannot be read; leave it out with --ignore span`);
    expect((await readAll({ path, ignore: ['span'] })).map((r) => r.data)).toEqual([{ id: 'a' }]);
  });

  it('refuses two top-level columns of one name before any row (the second would hide the first)', async () => {
    const path = writeParquet(at('duplicate.parquet'), [
      { name: 'id', data: ['a'], type: 'STRING' },
      { name: 'mrr', data: [10], type: 'INT32' },
      { name: 'mrr', data: [20], type: 'INT32' },
    ]);
    const err = await readError({ path });
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT_UNREADABLE' });
    expect(err.message).toBe(`${path}: two columns are named "mrr", and a record holds one value per name: rewrite the file with a name of its own for each`);
    expect((await readAll({ path, ignore: ['mrr'] })).map((r) => r.data)).toEqual([{ id: 'a' }]);
  });

  it('keeps a column named __proto__ as a field of the record (assigned, it would set the prototype and vanish)', async () => {
    const path = writeParquet(at('proto.parquet'), [
      { name: 'id', data: ['k'], type: 'STRING' },
      { name: '__proto__', data: ['x'], type: 'STRING' },
    ]);
    expect(Object.entries((await readAll({ path }))[0]!.data!)).toEqual([
      ['id', 'k'],
      ['__proto__', 'x'],
    ]);
  });

  it('a file that is not Parquet, or is cut short, is an InputError naming the file', async () => {
    const notParquet = tmp.file('not.parquet', 'id,name\na,b\n');
    const err = await readError({ path: notParquet });
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT_UNREADABLE' });
    expect(err.message).toBe(`Cannot read ${notParquet} as Parquet: parquet file invalid (footer != PAR1)`);

    const full = readFileSync(writeParquet(at('whole.parquet'), [{ name: 'id', data: ['a', 'b'], type: 'STRING' }]));
    const cut = tmp.file('cut.parquet', full.subarray(0, full.length - 10));
    expect((await readError({ path: cut })).message).toBe(`Cannot read ${cut} as Parquet: parquet file invalid (footer != PAR1)`);
    for (const [name, bytes] of [
      ['zero.parquet', ''],
      ['magic.parquet', 'PAR1'],
    ] as const) {
      const short = tmp.file(name, bytes);
      expect((await readError({ path: short })).message).toBe(
        `Cannot read ${short} as Parquet: it holds ${bytes.length} bytes, too few for a Parquet file (at least 12: PAR1, a footer and its length, PAR1)`,
      );
    }

    const missing = await readError({ path: at('missing.parquet') });
    expect(missing).toMatchObject({ code: 'INPUT_NOT_FOUND', message: `Input file not found: ${at('missing.parquet')}` });
  });

  it('takes .parquet by its extension, --format parquet otherwise, and refuses stdin', async () => {
    const path = writeParquet(at('noext'), [{ name: 'id', data: ['x'], type: 'STRING' }]);
    expect((await readAll({ path, format: 'parquet' })).map((r) => r.data)).toEqual([{ id: 'x' }]);
    const err = await readError({ path: '-', format: 'parquet' });
    expect(err).toMatchObject({ name: 'ConfigError' });
    expect(err.message).toContain('Parquet cannot be read from stdin');
  });

  it('a file with a schema and no rows gives no records (like a CSV header alone)', async () => {
    const path = writeParquet(at('empty.parquet'), [{ name: 'id', data: [], type: 'STRING' }]);
    expect(await readAll({ path })).toEqual([]);
  });

  it('stops at the next batch once aborted, and closes the file', async () => {
    const path = writeParquet(at('abort.parquet'), [{ name: 'id', data: Array.from({ length: 5000 }, (_, i) => `r${i}`), type: 'STRING' }], {
      rowGroupSize: 1000,
    });
    const ac = new AbortController();
    const seen: number[] = [];
    for await (const batch of readRecordBatches({ path, signal: ac.signal })) {
      seen.push(batch.length);
      ac.abort();
    }
    expect(seen).toEqual([256]);
  });
});
