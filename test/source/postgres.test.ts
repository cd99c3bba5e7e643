/** The Postgres reader against a real Postgres server (PGlite over the wire protocol on 127.0.0.1). */
import { describe, expect, it } from 'vitest';
import { readRecordBatches, type SourceOptions } from '../../src/source/index.js';
import { readPostgresBatches } from '../../src/source/postgres.js';
import { usePostgres, type TestPostgres } from '../helpers/postgres.js';
import { readAll, readError, summary } from './helpers.js';

let pg: TestPostgres;
usePostgres((p) => (pg = p));

const query = (sql: string, more: Partial<SourceOptions> = {}): SourceOptions => ({ path: pg.url, query: sql, ...more });

/** Connections to the server go back to none once a read is over. */
async function connectionsClosed(): Promise<number> {
  for (let i = 0; i < 50 && pg.connections() > 0; i++) await new Promise((r) => setTimeout(r, 20));
  return pg.connections();
}

describe('Postgres query', () => {
  it('carries column types over: numbers, int8 and numeric exact or as text, booleans, ISO 8601 instants, dates, JSON, arrays; NULL is undefined', async () => {
    const recs = await readAll(
      query(`SELECT 'a1' AS id, 7::int2 AS small, 42::int4 AS seats, 12::int8 AS events, 9007199254740993::int8 AS big,
        10.50::numeric AS mrr, 12345678901234567.891::numeric AS ltv, 0.1::float8 AS score, true AS paying,
        '2024-05-01 14:30:45.123456+02'::timestamptz AS seen, '2024-05-01 12:00:00'::timestamp AS local_time,
        '2024-05-01'::date AS renews, '{"plan":"gold","n":[1,2]}'::jsonb AS meta, '[1,"x"]'::json AS list,
        ARRAY[1,2] AS ints, ARRAY['a','b,c'] AS tags, ARRAY['2024-01-01 00:00:00+00'::timestamptz] AS times,
        '1 day 02:00:00'::interval AS span, 'c0ffee00-0000-4000-8000-000000000000'::uuid AS uid, NULL::text AS nothing`),
    );
    expect(recs).toHaveLength(1);
    expect(recs[0]).toStrictEqual({
      row: 1,
      line: 1,
      data: {
        id: 'a1',
        small: 7,
        seats: 42,
        events: 12,
        big: '9007199254740993',
        mrr: 10.5,
        ltv: '12345678901234567.891',
        score: 0.1,
        paying: true,
        seen: '2024-05-01T12:30:45.123456Z',
        local_time: '2024-05-01T12:00:00.000Z',
        renews: '2024-05-01',
        meta: { plan: 'gold', n: [1, 2] },
        list: [1, 'x'],
        ints: [1, 2],
        tags: ['a', 'b,c'],
        times: ['2024-01-01T00:00:00.000Z'],
        span: '1 day 02:00:00',
        uid: 'c0ffee00-0000-4000-8000-000000000000',
        nothing: undefined,
      },
    });
    expect(await connectionsClosed()).toBe(0);
  });

  it('reads dates in ISO style and floats exactly whatever the server defaults to (a DateStyle of SQL, DMY; extra_float_digits 0, as older servers print)', async () => {
    // PGlite serves every connection from one session: what is set here is the server's default for the read.
    await pg.db.exec(`SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0`);
    try {
      const recs = await readAll(
        query(`SELECT '2024-05-01 14:30:45.123456+02'::timestamptz AS seen, '2024-05-01 12:00:00'::timestamp AS local_time,
          '2024-05-01'::date AS renews, 3.141592653589793::float8 AS pi, ARRAY['2024-01-02'::date] AS days`),
      );
      expect(recs.map((r) => r.error?.message ?? r.data)).toStrictEqual([
        { seen: '2024-05-01T12:30:45.123456Z', local_time: '2024-05-01T12:00:00.000Z', renews: '2024-05-01', pi: 3.141592653589793, days: ['2024-01-02'] },
      ]);
      // The read changed nothing of the session's settings: they were set in its transaction, rolled back at the end.
      expect((await pg.db.query<{ DateStyle: string }>('SHOW DateStyle')).rows[0]!.DateStyle).toBe('SQL, DMY');
    } finally {
      await pg.db.exec('RESET DateStyle; RESET extra_float_digits');
    }
  });

  it('fails a row holding a value JSON cannot carry (NaN, infinity, bytea) alone, with the column and the reason', async () => {
    await pg.db.exec(`CREATE TABLE IF NOT EXISTS odd (n int, f float8, d date, b bytea);
      DELETE FROM odd;
      INSERT INTO odd VALUES (1, 1.5, '2024-01-01', NULL), (2, 'NaN', '2024-01-01', NULL), (3, 2, 'infinity', NULL), (4, 3, NULL, '\\x0102'), (5, 4, NULL, NULL);`);
    const recs = await readAll(query('SELECT * FROM odd ORDER BY n'));
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, data: { n: 1, f: 1.5, d: '2024-01-01', b: undefined } },
      { row: 2, line: 2, error: 'column "f": NaN is not a finite number, and JSON has no way to say it' },
      { row: 3, line: 3, error: 'column "d": infinity cannot be written as an ISO 8601 date' },
      { row: 4, line: 4, error: 'column "b": binary data (bytea) cannot be sent; encode it as text in the query, e.g. encode(col, \'base64\')' },
      { row: 5, line: 5, data: { n: 5, f: 4, d: undefined, b: undefined } },
    ]);
    expect(JSON.parse(recs[1]!.raw!)).toEqual({ n: 2, f: 'NaN', d: '2024-01-01' });
    // Ignored columns are left out, so their values fail no row.
    expect((await readAll(query('SELECT * FROM odd ORDER BY n', { ignore: ['f', 'b'] }))).filter((r) => r.error).map((r) => r.row)).toEqual([3]);
  });

  it('fails a row whose json holds what JSON.parse cannot carry (a number beyond a double, nesting past 64 levels)', async () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    const recs = await readAll(
      query(`SELECT 1 AS n, '{"mrr":1e309}'::json AS meta UNION ALL SELECT 2, '${deep}'::json UNION ALL SELECT 3, '{"ok":1}'::json ORDER BY n`),
    );
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, error: expect.stringMatching(/^column "meta": mrr: a number too large for JSON/) },
      { row: 2, line: 2, error: 'column "meta": [0][0][0][0]...: nested more than 64 levels deep' },
      { row: 3, line: 3, data: { n: 3, meta: { ok: 1 } } },
    ]);
  });

  it('streams through a cursor: one batch per round trip, rows numbered across batches', async () => {
    const sizes: number[] = [];
    const ids: number[] = [];
    const src = readPostgresBatches({ url: pg.url, label: 'pg', sql: 'SELECT g AS id FROM generate_series(1, 2500) g', signal: undefined, batchRows: 1000 });
    for await (const batch of src) {
      sizes.push(batch.length);
      for (const r of batch) {
        expect(r.line).toBe(r.row);
        ids.push(r.data!.id as number);
      }
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(ids).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(await connectionsClosed()).toBe(0);
  });

  it('stops at the next batch once aborted, and closes the cursor and the connection', async () => {
    const ac = new AbortController();
    let rows = 0;
    for await (const batch of readRecordBatches(query('SELECT g FROM generate_series(1, 100000) g', { signal: ac.signal }))) {
      rows += batch.length;
      expect(pg.connections()).toBe(1);
      ac.abort();
    }
    expect(rows).toBe(1000);
    expect(await connectionsClosed()).toBe(0);
    // The server is free for the next read.
    expect((await readAll(query('SELECT 1 AS one'))).map((r) => r.data)).toEqual([{ one: 1 }]);
  });

  it('a query Postgres refuses is an InputError carrying its own message, code and position', async () => {
    const err = await readError(query('SELECT nope FROM nowhere'));
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT_UNREADABLE' });
    expect(err.message).toBe('Postgres refused the query: relation "nowhere" does not exist (SQLSTATE 42P01, at character 18).');
    expect(await connectionsClosed()).toBe(0);
  });

  it('runs the query read-only: a statement that writes is refused and changes nothing', async () => {
    await pg.db.exec('CREATE TABLE IF NOT EXISTS kept (id int); DELETE FROM kept; INSERT INTO kept VALUES (1);');
    const err = await readError(query('DELETE FROM kept RETURNING id'));
    expect(err.message).toBe('Postgres refused the query: cannot execute DELETE in a read-only transaction (SQLSTATE 25006).');
    expect((await pg.db.query('SELECT count(*)::int AS n FROM kept')).rows).toEqual([{ n: 1 }]);
  });

  it('refuses two columns of one name (the second would hide the first)', async () => {
    const err = await readError(query('SELECT 1 AS id, 2 AS id'));
    expect(err.message).toBe('The query returns two columns named "id": give each a name of its own (... AS "id_2")');
  });

  it('keeps a column named __proto__ as a field of the record (assigned, it would set the prototype and vanish)', async () => {
    const recs = await readAll(query(`SELECT 'k' AS id, 'x' AS "__proto__"`));
    expect(Object.entries(recs[0]!.data!)).toEqual([
      ['id', 'k'],
      ['__proto__', 'x'],
    ]);
  });

  it('an empty result gives no records', async () => {
    expect(await readAll(query('SELECT 1 AS id WHERE false'))).toEqual([]);
  });

  it('a server that cannot be reached is an InputError naming it without the password', async () => {
    const closed = pg.url.replace(/:(\d+)\//, ':1/').replace('postgres@', 'postgres:s3cret@');
    const err = await readError({ path: closed, query: 'SELECT 1' });
    expect(err).toMatchObject({ name: 'InputError', code: 'INPUT_UNREADABLE' });
    expect(err.message).toMatch(/^Cannot connect to postgres:\/\/postgres@127\.0\.0\.1:1\/postgres: connect ECONNREFUSED/);
    expect(err.message).not.toContain('s3cret');
  });

  it('needs a query', async () => {
    const err = await readError({ path: pg.url });
    expect(err).toMatchObject({ name: 'ConfigError' });
    expect(err.message).toContain('needs --query <sql> or --query-file <path>');
  });
});
