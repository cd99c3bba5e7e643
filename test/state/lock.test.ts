/**
 * One run at a time per state file: two real processes of the built CLI against one sandbox (started
 * here, its URL and token passed through the environment) and one state file.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { acquireStateLock } from '../../src/state/lock.js';
import { closeStore, openStore } from '../../src/state/store.js';
import { assertBuilt, jsonLines, startCli } from '../helpers/child.js';
import { rows, runCli, writeTemp } from '../helpers/cli.js';
import { useStateSandbox } from '../helpers/state.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let state: string;
useStateSandbox('lock', (c) => ({ sb, dir, env, state } = c));
/** This test's own name for its files. */
const id = () => basename(state, '.db');
beforeAll(assertBuilt);

function accounts(count: number): string {
  const lines = ['externalId,name', ...Array.from({ length: count }, (_, i) => `lk-${i + 1},Locked ${i + 1}`)];
  return writeTemp(dir, `lock-${id()}.csv`, `${lines.join('\n')}\n`);
}

const noStack = /\n\s+at /;

describe('the state file lock', () => {
  it('a second run on the same state file is refused at once with exit 75, naming the first; nothing is sent twice', async () => {
    const file = accounts(30);
    sb.options.latencyMs = 30;
    const args = ['push', file, '--object', 'account', '--state', state, '--json', '--concurrency', '1', '--rate', '100000'];
    const first = startCli(args, env);
    await first.until((o) => o.stdout.includes('"row":1,'));
    const second = startCli(args, env);
    expect(await second.code).toBe(75);
    sb.options.latencyMs = 0;
    const err = second.stderr();
    // With --json, the error is one JSON object on stderr.
    expect(JSON.parse(err).error).toMatchObject({ code: 'STATE_LOCKED', exitCode: 75 });
    expect(err).toContain(`"message":"--state ${state} is in use by another vitally-sync run: pid ${first.pid} on ${hostname()}, started 20`);
    expect(err).toContain(`(vitally-sync push ${file} --object account --state ${state}`);
    expect(err).toContain('so this one sent nothing: try again once that run has finished (exit 75)');
    expect(err).not.toMatch(noStack);
    expect(second.stdout()).toBe('');

    expect(await first.code).toBe(0);
    expect(jsonLines(first.stdout()).filter((l) => 'row' in l)).toHaveLength(30);
    // Every account was created once, by the first run: one PUT (404) and one POST each.
    expect(sb.requests.filter((r) => r.method === 'POST')).toHaveLength(30);
    expect(sb.requests.filter((r) => r.method === 'PUT')).toHaveLength(30);
    expect(sb.store.all('accounts')).toHaveLength(30);

    // The lock went with the first run: a third one runs (and finds nothing to send).
    sb.requests.length = 0;
    const third = await runCli(['push', file, '--object', 'account', '--state', state, '--json'], { env });
    expect(third.code).toBe(0);
    expect(rows(third).every((r) => r.action === 'unchanged')).toBe(true);
    expect(sb.requests).toHaveLength(0);
  });

  it('a run killed with SIGKILL leaves no stale lock: the next run takes it at once and finishes the work', async () => {
    const file = accounts(40);
    sb.options.latencyMs = 30;
    const args = ['push', file, '--object', 'account', '--state', state, '--json', '--concurrency', '2', '--rate', '100000'];
    const killed = startCli(args, env);
    await killed.until((o) => o.stdout.includes('"row":3,'));
    killed.kill('SIGKILL');
    expect(await killed.code).toBeNull();
    sb.options.latencyMs = 0;
    expect(existsSync(`${state}.lock`)).toBe(true); // the file stays; the lock in it went with the process

    const next = startCli(args, env);
    expect(await next.code).toBe(0);
    expect(next.stderr()).toBe('');
    expect(sb.store.all('accounts')).toHaveLength(40);
  });

  it('in-process too: push, state forget and state reset are refused while another holder has the store', async () => {
    const file = accounts(2);
    expect((await runCli(['push', file, '--object', 'account', '--state', state], { env })).code).toBe(0);
    const lock = acquireStateLock(state, 'vitally-sync push nightly.csv --object account');
    try {
      sb.requests.length = 0;
      const push = await runCli(['push', file, '--object', 'account', '--state', state, '--full'], { env });
      expect(push.code).toBe(75);
      expect(push.stderr).toContain(`pid ${process.pid} on ${hostname()}`);
      expect(push.stderr).toContain('(vitally-sync push nightly.csv --object account)');
      expect(sb.requests).toHaveLength(0);
      const forget = await runCli(['state', 'forget', 'account', '--state', state]);
      expect(forget.code).toBe(75);
      const reset = await runCli(['state', 'reset', '--yes', '--state', state]);
      expect(reset.code).toBe(75);
      expect(existsSync(state)).toBe(true);
      // Reading needs no lock: a dry run and state show still work.
      expect((await runCli(['state', 'show', '--state', state])).code).toBe(0);
      expect((await runCli(['push', file, '--object', 'account', '--state', state, '--dry-run'], { env })).code).toBe(0);
    } finally {
      lock.release();
    }
    expect((await runCli(['state', 'reset', '--yes', '--state', state])).code).toBe(0);
    expect(existsSync(state)).toBe(false);
    expect(existsSync(`${state}.lock`)).toBe(false);
  });

  it('a store opened with its lock releases it when closed', () => {
    const db = openStore(state, { lock: { command: 'first' } });
    expect(() => acquireStateLock(state, 'second')).toThrowError(/is in use by another vitally-sync run: pid \d+ on .*\(first\)/);
    closeStore(db);
    acquireStateLock(state, 'second').release();
  });
});
