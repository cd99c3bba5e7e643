/**
 * The state store when the world is hostile: a path that is no store is refused before anything is
 * touched; a store that fails mid-run (a file-size limit, a lock held by another program) stops the run
 * cleanly, with the summary, and leaves what was sent but not recorded in doubt for the next run.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { RunState } from '../../src/state/run-state.js';
import { closeStore, openStore } from '../../src/state/store.js';
import { assertBuilt, jsonLines, startCli } from '../helpers/child.js';
import { errorOf, rows, runCli, summaryOf, writeTemp } from '../helpers/cli.js';
import { useStateSandbox } from '../helpers/state.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let state: string;
useStateSandbox('store', (c) => ({ sb, dir, env, state } = c));
/** This test's own name for its files. */
const id = () => basename(state, '.db');
beforeAll(assertBuilt);

const noStack = /\n\s+at /;
const push = (file: string, ...args: string[]) => runCli(['push', file, '--object', 'account', '--json', ...args], { env });
const count = (path: string, sql: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(sql).pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
};

describe('a path that is no state store is refused before anything is touched', () => {
  it('a folder: exit 2 with what to pass instead, nothing created in it, nothing sent', async () => {
    const folder = join(dir, `folder-${id()}`);
    mkdirSync(folder);
    const r = await push('fixtures/accounts.csv', '--state', folder);
    expect(r.code).toBe(2);
    expect(errorOf(r)).toEqual({
      code: 'STATE_ERROR',
      message: `--state ${folder} is a folder, not a state file: pass a file path (for example ${join(folder, 'state.db')})`,
      exitCode: 2,
    });
    expect(readdirSync(folder)).toEqual([]);
    expect(sb.requests).toHaveLength(0);
  });

  it("another program's SQLite database stays as it was: same bytes, same journal mode, no files beside it", async () => {
    const foreign = join(dir, `app-${id()}.db`);
    const db = new Database(foreign);
    db.exec("CREATE TABLE customers (id INTEGER, name TEXT); INSERT INTO customers VALUES (1, 'x')");
    db.close();
    const before = readFileSync(foreign);
    const r = await push('fixtures/accounts.csv', '--state', foreign);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is an SQLite database of something else (no vitally-sync tables). It was left untouched');
    expect(readFileSync(foreign).equals(before)).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith(`app-${id()}.db`))).toEqual([`app-${id()}.db`]);
    const again = new Database(foreign, { readonly: true });
    expect(again.pragma('journal_mode', { simple: true })).toBe('delete');
    again.close();
  });

  it.each([
    ['a text file', 'hello, I am not a database'],
    ['a truncated SQLite header', 'SQLite format 3\u0000abc'],
  ])('%s: refused, untouched, and no lock file made', async (_, content) => {
    const path = writeTemp(dir, `junk-${id()}.db`, content);
    const r = await push('fixtures/accounts.csv', '--state', path);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a vitally-sync state file (not SQLite)');
    expect(readFileSync(path, 'utf8')).toBe(content);
    expect(readdirSync(dir).filter((f) => f.startsWith(`junk-${id()}.db`))).toEqual([`junk-${id()}.db`]);
  });

  it('a device is no regular file', async () => {
    const r = await push('fixtures/accounts.csv', '--state', '/dev/null');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--state /dev/null is not a regular file');
  });
});

describe('a store that fails mid-run', () => {
  it('a file-size limit hit while recording: the summary is printed, exit 2, and the next run creates nothing twice', async () => {
    const total = 600;
    const lines = ['externalId,name', ...Array.from({ length: total }, (_, i) => `full-${i + 1},Full ${i + 1}`)];
    const file = writeTemp(dir, 'full.csv', `${lines.join('\n')}\n`);
    // 256 KiB a file: the write-ahead log outgrows it after a few hundred rows (EFBIG: SQLite's I/O error).
    const run = startCli(['push', file, '--object', 'account', '--state', state, '--json', '--rate', '100000', '--concurrency', '8'], env, {
      shell: 'ulimit -f 256',
    });
    const code = await run.code;
    const err = JSON.parse(run.stderr()).error.message as string;
    expect(code).toBe(2);
    expect(err).toMatch(/^--state \S+: the disk answered with an I\/O error while [a-z ]+ \(disk I\/O error \(SQLITE_IOERR_WRITE\)\)\. The run stopped there/);
    expect(err).toContain('the rows sent but not recorded stay in doubt, and the next run checks them before sending them again');
    expect(err).not.toMatch(noStack);
    const out = jsonLines(run.stdout());
    const results = out.filter((l) => 'row' in l);
    const summary = out.find((l) => 'summary' in l)?.summary;
    expect(summary).toMatchObject({ rows: results.length });
    expect(results.length).toBeGreaterThan(10);
    expect(results.length).toBeLessThan(total);
    // Rows come out in order, each with its result: sent ones ok, the rest stopped before sending.
    expect(results.map((r) => r.row)).toEqual(results.map((_, i) => i + 1));
    for (const r of results) expect([r.status, r.action]).toEqual(r.status === 'ok' ? ['ok', 'created'] : ['skipped', 'interrupted']);
    const created = results.filter((r) => r.status === 'ok').length;
    expect(sb.store.all('accounts').length).toBeGreaterThanOrEqual(created);
    // What was answered but not recorded is in doubt; recorded + in doubt covers every row reported ok.
    const recorded = count(state, 'SELECT COUNT(*) FROM sent');
    const inDoubt = count(state, 'SELECT COUNT(*) FROM journal');
    expect(recorded + inDoubt).toBeGreaterThanOrEqual(created);

    // Without the limit, the next run finishes the file: every account once, none created twice.
    sb.requests.length = 0;
    const rerun = await push(file, '--state', state, '--rate', '100000', '--concurrency', '8');
    expect(rerun.code).toBe(0);
    expect(sb.store.all('accounts')).toHaveLength(total);
    expect(summaryOf(rerun).skipped).toBe(recorded);
    expect(sb.requests.filter((r) => r.method === 'POST' && r.status === 409)).toHaveLength(0);
    expect(count(state, 'SELECT COUNT(*) FROM journal')).toBe(0);
  });

  it('another program holding the store locked past the busy timeout: the run stops (STATE_BUSY), nothing more is written or sent', () => {
    const db = openStore(state, { lock: { command: 'test' } });
    const runState = new RunState(db, { destination: 'https://acme.rest.vitally.io', object: 'account', source: '/x.csv' });
    expect(runState.begin('a', 'h1')).toBe(true);
    runState.confirm('a', 'h1', 'id-a');
    db.pragma('busy_timeout = 20');
    const other = new Database(state);
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(runState.begin('b', 'h2')).toBe(false);
      expect(runState.failure?.code).toBe('STATE_BUSY');
      expect(runState.failure?.message).toContain(
        `--state ${state} stayed locked by another program while journalling a row before sending it (database is locked (SQLITE_BUSY))`,
      );
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    // Failed once, it stays stopped: nothing more is read or written, and finishing never throws.
    expect(runState.begin('c', 'h3')).toBe(false);
    expect(runState.lastSent('a')).toBeUndefined();
    runState.finish('stopped', {
      rows: 1,
      ok: 1,
      accepted: 0,
      skipped: 0,
      failed: 0,
      byAction: {},
      requests: 1,
      retries: 0,
      rateLimited: 0,
      durationMs: 1,
      rowsPerSecond: 1,
      interrupted: false,
    });
    closeStore(db);
    expect(count(state, 'SELECT COUNT(*) FROM sent')).toBe(1);
    expect(count(state, 'SELECT COUNT(*) FROM journal')).toBe(0);
  });

  it('a store locked by another program when the run starts: exit 75 after the busy timeout, nothing sent', async () => {
    await push('fixtures/accounts.csv', '--state', state);
    const other = new Database(state);
    other.exec('BEGIN IMMEDIATE');
    sb.requests.length = 0;
    try {
      const r = await push('fixtures/accounts.csv', '--state', state, '--full');
      expect(r.code).toBe(75);
      expect(r.stderr).toContain('stayed locked by another program while');
      expect(r.stderr).toContain('Try again once it is done');
      expect(r.stderr).not.toMatch(noStack);
      expect(sb.requests).toHaveLength(0);
      expect(rows(r)).toEqual([]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

describe('a state file written in between', () => {
  it('an empty file is taken as a new store', async () => {
    writeFileSync(state, '');
    expect((await push('fixtures/accounts.csv', '--state', state)).code).toBe(0);
    expect(count(state, 'SELECT COUNT(*) FROM sent')).toBe(4);
  });
});
