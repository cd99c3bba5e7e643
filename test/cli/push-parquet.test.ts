/** push and init with a Parquet file, end to end against the sandbox: typed values arrive as typed JSON. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, useSandbox } from '../helpers/cli.js';
import { DUCKDB_ACME, DUCKDB_FILE, writeParquet } from '../helpers/parquet.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

const DUCKDB = DUCKDB_FILE;
const writes = () => sb.requests.filter((r) => r.method !== 'GET');

function accounts(name: string): string {
  return writeParquet(
    join(dir, name),
    [
      { name: 'externalId', data: ['acme', 'globex', 'initech'], type: 'STRING' },
      { name: 'name', data: ['Acme', 'Globex', 'Initech'], type: 'STRING' },
      { name: 'seats', data: [12, null, 3], type: 'INT32' },
      { name: 'events', data: [9007199254740993n, 5n, 6n], type: 'INT64' },
      { name: 'score', data: [0.75, 1, NaN], type: 'DOUBLE' },
      { name: 'paying', data: [true, false, true], type: 'BOOLEAN' },
      { name: 'lastSeen', data: [new Date('2024-05-01T12:30:45.123Z'), null, new Date(0)], type: 'TIMESTAMP' },
      { name: 'profile', data: [{ plan: 'gold', regions: ['eu', 'us'] }, null, null], type: 'JSON' },
    ],
    { codec: 'ZSTD' },
  );
}

describe('push a Parquet file', () => {
  it('sends typed values as typed JSON; a null is left out; a value JSON cannot carry fails its row alone', async () => {
    const file = accounts('a.parquet');
    const rejects = join(dir, 'rejects.ndjson');
    const r = await runCli(['push', file, '--object', 'account', '--json', '--rejects', rejects], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.line, x.key, x.status])).toEqual([
      [1, 0, 'acme', 'ok'],
      [2, 1, 'globex', 'ok'],
      [3, 2, null, 'failed'],
    ]);
    expect(rows(r)[2]!.error).toBe('column "score": NaN is not a finite number, and JSON has no way to say it');
    const post = writes().find((q) => q.method === 'POST' && JSON.parse(q.body).externalId === 'acme')!;
    expect(JSON.parse(post.body)).toEqual({
      externalId: 'acme',
      name: 'Acme',
      traits: {
        seats: 12,
        events: '9007199254740993',
        score: 0.75,
        paying: true,
        lastSeen: '2024-05-01T12:30:45.123Z',
        profile: { plan: 'gold', regions: ['eu', 'us'] },
      },
    });
    expect(sb.store.get('accounts', 'globex')!.traits).toEqual({ events: 5, score: 1, paying: false });
    const rejected = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ row: 3, line: 2, error: 'column "score": NaN is not a finite number, and JSON has no way to say it' });
    expect(JSON.parse(rejected[0].raw)).toMatchObject({ externalId: 'initech', score: 'NaN', lastSeen: '1970-01-01T00:00:00.000Z' });
  });

  it('--empty null sends a null as null, which removes the trait', async () => {
    const file = accounts('b.parquet');
    await runCli(['push', file, '--object', 'account', '--ignore', 'score'], { env });
    expect(sb.store.get('accounts', 'globex')!.traits).toEqual({ events: 5, paying: false });
    const r = await runCli(['push', file, '--object', 'account', '--ignore', 'score', '--empty', 'null', '--json'], { env });
    expect(r.code).toBe(0);
    const put = writes()
      .filter((q) => q.method === 'PUT' && q.path === '/resources/accounts/globex')
      .at(-1)!;
    expect(JSON.parse(put.body).traits).toEqual({ seats: null, events: 5, paying: false, lastSeen: null, profile: null });
  });

  it('--dry-run prints the typed requests of a file written by DuckDB, and sends nothing', async () => {
    const r = await runCli(['push', DUCKDB, '--object', 'account', '--map', 'external_id=externalId', '--dry-run', '--json'], {});
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.row, x.line, x.key, x.action])).toEqual([
      [1, 0, 'acc-1', 'planned'],
      [2, 1, 'acc-2', 'planned'],
      [3, 2, 'acc-3', 'planned'],
    ]);
    expect(rows(r)[0]!.requests[0].body).toEqual({ name: 'Acme', traits: DUCKDB_ACME });
    expect(sb.requests).toHaveLength(0);
  });

  it('keeps the state store: an unchanged file costs no request the second time', async () => {
    const state = join(dir, 'state.db');
    const args = ['push', DUCKDB, '--object', 'account', '--map', 'external_id=externalId', '--state', state, '--json'];
    expect((await runCli(args, { env })).code).toBe(0);
    const before = sb.requests.length;
    const again = await runCli(args, { env });
    expect(summaryOf(again)).toMatchObject({ rows: 3, skipped: 3, byAction: { unchanged: 3 } });
    expect(sb.requests.length).toBe(before);
  });

  it('init samples a Parquet file and writes a sync that runs, its long integers and decimals sent unrounded', async () => {
    const config = join(dir, 'vitally-sync.config.json');
    const r = await runCli(['init', DUCKDB, '--object', 'account', '--name', 'duck', '--config', config, '--no-state'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Sampled 3 rows of');
    const sync = JSON.parse(readFileSync(config, 'utf8')).syncs.duck;
    expect(sync).toMatchObject({ file: DUCKDB, object: 'account' });
    expect(sync.map.external_id).toBe('externalId');
    const run = await runCli(['run', 'duck', '--config', config, '--dry-run', '--json'], { env });
    expect(run.code).toBe(0);
    expect(rows(run).map((x) => x.key)).toEqual(['acc-1', 'acc-2', 'acc-3']);
    // The reader gives these as text because a number would round them; the proposal must not make them numbers.
    expect(sync.map).toMatchObject({ big_id: 'traits.big_id', ltv: 'traits.ltv', seats: 'traits.seats:number' });
    expect(rows(run)[0]!.requests[0].body.traits).toMatchObject({ big_id: DUCKDB_ACME.big_id, ltv: DUCKDB_ACME.ltv });
  });
});
