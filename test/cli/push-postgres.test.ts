/**
 * push, init and run with a Postgres query, end to end: rows read from a real Postgres server (PGlite over
 * the wire protocol) and sent to the sandbox; typed values arrive as typed JSON; the password never shows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, useSandbox } from '../helpers/cli.js';
import { usePostgres, type TestPostgres } from '../helpers/postgres.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));
let pg: TestPostgres;
usePostgres((p) => (pg = p));

const PASSWORD = 'pa55-w0rd-never-shown';
/** The server's URL with a password in it (PGlite takes any). */
const withPassword = () => pg.url.replace('postgres@', `postgres:${PASSWORD}@`);
const SQL = `SELECT id AS "externalId", name, seats, mrr, big, paying, updated_at AS "lastSeen", meta FROM crm ORDER BY id`;
const writes = () => sb.requests.filter((r) => r.method !== 'GET');

beforeEach(async () => {
  await pg.db.exec(`DROP TABLE IF EXISTS crm;
    CREATE TABLE crm (id text, name text, seats int, mrr numeric(12,2), big int8, paying boolean, updated_at timestamptz, meta jsonb);
    INSERT INTO crm VALUES
      ('acme', 'Acme', 12, 1234.50, 9007199254740993, true, '2024-05-01 14:30:45.123456+02', '{"plan":"gold","regions":["eu"]}'),
      ('globex', 'Globex', NULL, 10, 5, false, NULL, NULL),
      ('initech', 'Initech', 3, 'NaN', 6, true, '2024-01-01 00:00:00+00', '{}');`);
});

describe('push a Postgres query', () => {
  it('sends typed values as typed JSON, fails a row whose value JSON cannot carry, and never shows the password', async () => {
    const rejects = join(dir, 'rejects.ndjson');
    const log = join(dir, 'requests.ndjson');
    const r = await runCli(['push', withPassword(), '--query', SQL, '--object', 'account', '--json', '--rejects', rejects, '--log-requests', log], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.line, x.key, x.status])).toEqual([
      [1, 1, 'acme', 'ok'],
      [2, 2, 'globex', 'ok'],
      [3, 3, null, 'failed'],
    ]);
    expect(rows(r)[2]!.error).toBe('column "mrr": NaN is not a finite number, and JSON has no way to say it');
    const post = writes().find((q) => q.method === 'POST' && JSON.parse(q.body).externalId === 'acme')!;
    expect(JSON.parse(post.body)).toEqual({
      externalId: 'acme',
      name: 'Acme',
      traits: {
        seats: 12,
        mrr: 1234.5,
        big: '9007199254740993',
        paying: true,
        lastSeen: '2024-05-01T12:30:45.123456Z',
        meta: { plan: 'gold', regions: ['eu'] },
      },
    });
    expect(sb.store.get('accounts', 'globex')!.traits).toEqual({ mrr: 10, big: 5, paying: false });
    for (const text of [r.stdout, r.stderr, readFileSync(rejects, 'utf8'), readFileSync(log, 'utf8')]) expect(text).not.toContain(PASSWORD);
  });

  it('reads the query from --query-file and the password from --password-file; --dry-run sends nothing', async () => {
    const sqlFile = join(dir, 'accounts.sql');
    writeFileSync(sqlFile, `${SQL}\n`);
    const passwordFile = join(dir, 'pg-password');
    writeFileSync(passwordFile, `${PASSWORD}\n`);
    const r = await runCli(
      ['push', pg.url, '--query-file', sqlFile, '--password-file', passwordFile, '--object', 'account', '--ignore', 'mrr', '--dry-run', '--json'],
      {},
    );
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.action])).toEqual([
      ['acme', 'planned'],
      ['globex', 'planned'],
      ['initech', 'planned'],
    ]);
    expect(rows(r)[1]!.requests[0]).toEqual({ method: 'PUT', path: '/resources/accounts/globex', body: { name: 'Globex', traits: { big: 5, paying: false } } });
    expect(sb.requests).toHaveLength(0);
  });

  it('a query Postgres refuses exits 2 with its message, naming nothing secret', async () => {
    const r = await runCli(['push', withPassword(), '--query', 'SELECT id FROM accounts_typo', '--object', 'account'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vitally-sync: Postgres refused the query: relation "accounts_typo" does not exist (SQLSTATE 42P01, at character 16).');
    expect(r.stderr + r.stdout).not.toContain(PASSWORD);
    expect(writes()).toHaveLength(0);
  });

  it.each([
    [['--object', 'account'], 'needs --query <sql> or --query-file <path>'],
    [['--object', 'account', '--query', 'SELECT 1', '--query-file', 'q.sql'], 'Give --query or --query-file, not both'],
    [['--object', 'account', '--query', 'SELECT 1', '--delete-missing', '--state', 'x.db'], '--delete-missing on a query needs --scope <name>'],
    [['--object', 'account', '--query', 'SELECT 1', '--delimiter', ';'], '--delimiter is for CSV input, not a query'],
    [['--object', 'account', '--query', 'SELECT 1', '--format', 'csv'], '--format csv does not apply to a postgres:// URL'],
    [['--object', 'account', '--query', 'SELECT 1', '--password-file', 'pw'], 'The Postgres URL already holds a password'],
    [['--object', 'account', '--query', 'SELECT 1', '--scope', 'a b'], '--scope "a b" must be letters, digits and . _ - : @ /'],
  ])('refuses %j before connecting (exit 2)', async (args, message) => {
    const r = await runCli(['push', withPassword(), ...args], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain(PASSWORD);
  });

  it('reads a --query-file saved with a byte-order mark and Windows line ends (as SQL editors on Windows save)', async () => {
    const sqlFile = join(dir, 'windows.sql');
    writeFileSync(sqlFile, `\uFEFFSELECT id AS "externalId"\r\nFROM crm\r\nWHERE seats IS NOT NULL ORDER BY id;\r\n`);
    const r = await runCli(['push', pg.url, '--query-file', sqlFile, '--object', 'account', '--dry-run', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.key)).toEqual(['acme', 'initech']);
  });

  it('a password holding a bare % (not percent-encoded) is refused as a setting (exit 2), naming the fix and not the password', async () => {
    const url = pg.url.replace('postgres@', 'postgres:50%off-secret@');
    const r = await runCli(['push', url, '--object', 'account', '--query', 'SELECT 1 AS "externalId"'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vitally-sync: The password in the Postgres URL is not percent-encoded');
    expect(r.stderr).toContain('%25');
    expect(r.stderr).not.toContain('50%off-secret');
  });

  it('a column named __proto__ fails its row with the reason, as in a CSV file, not dropped', async () => {
    const r = await runCli(['push', pg.url, '--query', `SELECT 'k' AS "externalId", 'x' AS "__proto__"`, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r)[0]!.error).toContain('column "__proto__": a trait cannot be named "__proto__"');
    expect(writes()).toHaveLength(0);
  });

  it('--query is refused for a file', async () => {
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--query', 'SELECT 1'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--query is for a Postgres input (a postgres:// URL in place of the file)');
  });

  it('--delete-missing with --scope deletes what the query no longer returns; the store names the scope, never the password', async () => {
    const state = join(dir, 'state.db');
    const push = (sql: string) =>
      runCli(
        [
          'push',
          withPassword(),
          '--query',
          sql,
          '--object',
          'account',
          '--scope',
          'crm-accounts',
          '--delete-missing',
          '--max-delete-share',
          '50',
          '--state',
          state,
          '--json',
        ],
        {
          env,
        },
      );
    expect((await push('SELECT id AS "externalId", name FROM crm ORDER BY id')).code).toBe(0);
    expect(sb.store.all('accounts')).toHaveLength(3);
    await pg.db.exec(`DELETE FROM crm WHERE id = 'globex'`);
    // The query text changes too: the scope, not the text, says which records are this query's.
    const second = await push(`SELECT id AS "externalId", name FROM crm WHERE id <> '' ORDER BY id`);
    expect(second.code).toBe(0);
    expect(
      rows(second)
        .filter((x) => x.action === 'deleted')
        .map((x) => x.key),
    ).toEqual(['globex']);
    expect(
      sb.store
        .all('accounts')
        .map((a) => a.externalId)
        .sort(),
    ).toEqual(['acme', 'initech']);
    const db = new Database(state, { readonly: true });
    const sources = db.prepare('SELECT DISTINCT source FROM sent UNION SELECT DISTINCT source FROM runs').pluck().all();
    db.close();
    expect(sources).toEqual(['scope:crm-accounts']);
    expect(readFileSync(state).includes(PASSWORD)).toBe(false);
  });

  it('without --scope, the store files the rows under the URL without its password and a hash of the query', async () => {
    const state = join(dir, 'state2.db');
    const r = await runCli(['push', withPassword(), '--query', SQL, '--object', 'account', '--ignore', 'mrr', '--state', state], { env });
    expect(r.code).toBe(0);
    const db = new Database(state, { readonly: true });
    const sources = db.prepare('SELECT DISTINCT source FROM sent').pluck().all() as string[];
    db.close();
    expect(sources).toHaveLength(1);
    expect(sources[0]).toMatch(new RegExp(`^${pg.url.replace(/[.]/g, '\\.')} query [0-9a-f]{16}$`));
    const again = await runCli(['push', withPassword(), '--query', SQL, '--object', 'account', '--ignore', 'mrr', '--state', state, '--json'], { env });
    expect(summaryOf(again)).toMatchObject({ rows: 3, skipped: 3 });
  });

  it('init samples the first rows of a query and writes a sync without the password; run reads it with PGPASSWORD', async () => {
    const config = join(dir, 'vitally-sync.config.json');
    const r = await runCli(
      ['init', withPassword(), '--query', SQL, '--object', 'account', '--name', 'crm', '--sample', '2', '--config', config, '--no-state'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Sampled 2 rows of ${pg.url}`);
    const text = readFileSync(config, 'utf8');
    expect(text).not.toContain(PASSWORD);
    const sync = JSON.parse(text).syncs.crm;
    expect(sync).toMatchObject({ file: pg.url, query: SQL, object: 'account' });
    expect(sync.map).toMatchObject({ externalId: 'externalId', name: 'name' });
    const run = await runCli(['run', 'crm', '--config', config, '--ignore', 'mrr', '--json'], { env: { ...env, PGPASSWORD: PASSWORD } });
    expect(run.code).toBe(0);
    expect(rows(run).map((x) => [x.key, x.status])).toEqual([
      ['acme', 'ok'],
      ['globex', 'ok'],
      ['initech', 'ok'],
    ]);
  });

  it('a config file whose sync holds a password in its URL is refused', async () => {
    const config = join(dir, 'secret.config.json');
    writeFileSync(config, JSON.stringify({ syncs: { crm: { file: withPassword(), query: SQL, object: 'account' } } }));
    const r = await runCli(['run', 'crm', '--config', config, '--dry-run'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"syncs.crm.file" holds what looks like a secret');
    expect(r.stderr).not.toContain(PASSWORD);
  });
});
