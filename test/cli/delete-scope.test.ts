/**
 * --delete-missing over exports with a new name each day (accounts-2026-11-28.csv, then -29): records
 * are kept under a scope, the same for every run, so what leaves the export is deleted; without one,
 * the summary says why nothing could be.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, rows, runCli, summaryOf, writeTemp } from '../helpers/cli.js';
import { useStateSandbox } from '../helpers/state.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let state: string;
useStateSandbox('scope', (c) => ({ sb, dir, env, state } = c));

const day1 = () => writeTemp(dir, 'accounts-2026-11-28.csv', 'externalId,name\nacme,Acme\nglobex,Globex\ninitech,Initech\n');
const day2 = () => writeTemp(dir, 'accounts-2026-11-29.csv', 'externalId,name\nacme,Acme\ninitech,Initech\n');
const deleted = (r: Awaited<ReturnType<typeof runCli>>) =>
  rows(r)
    .filter((x) => x.action === 'deleted')
    .map((x) => x.key);
const keys = () =>
  sb.store
    .all('accounts')
    .map((a) => a.externalId)
    .sort();
const push = (file: string, ...args: string[]) =>
  runCli(['push', file, '--object', 'account', '--delete-missing', '--max-delete-share', '50', '--state', state, '--json', ...args], { env });

describe('--delete-missing with dated file names', () => {
  it('with the same --scope every day, the account that left the export is deleted', async () => {
    const first = await push(day1(), '--scope', 'crm-accounts');
    expect(first.code).toBe(0);
    expect(summaryOf(first).warnings).toEqual([
      '--delete-missing: nothing could be deleted: the state store holds no accounts synced under the scope "crm-accounts" before this run (its first run under that name); the next runs delete what leaves the input',
    ]);
    const second = await push(day2(), '--scope', 'crm-accounts');
    expect(second.code).toBe(0);
    expect(deleted(second)).toEqual(['globex']);
    expect(summaryOf(second).warnings).toBeUndefined();
    expect(keys()).toEqual(['acme', 'initech']);
  });

  it('without --scope each file is a source of its own: nothing is deleted, and the summary says why', async () => {
    await push(day1());
    const second = await push(day2());
    expect(second.code).toBe(0);
    expect(deleted(second)).toEqual([]);
    expect(summaryOf(second).warnings).toEqual([
      `--delete-missing: nothing could be deleted: the state store holds no accounts synced from ${join(dir, 'accounts-2026-11-29.csv')} before this run. ` +
        "Records are matched to the input they came from, by its path: when each export has a new name (accounts-2026-11-29.csv), give every run the same --scope <name> (run uses the sync's name)",
    ]);
    expect(keys()).toEqual(['acme', 'globex', 'initech']);
  });

  it("run <sync> keeps the records under the sync's name, so the sync's file can change from day to day", async () => {
    const config = join(dir, 'vitally-sync.config.json');
    const sync = (file: string) =>
      writeFileSync(config, JSON.stringify({ syncs: { accounts: { file, object: 'account', deleteMissing: true, maxDeleteShare: 50, state } } }));
    sync(day1());
    expect((await runCli(['run', 'accounts', '--config', config, '--json'], { env })).code).toBe(0);
    sync(day2());
    const second = await runCli(['run', 'accounts', '--config', config, '--json'], { env });
    expect(second.code).toBe(0);
    expect(deleted(second)).toEqual(['globex']);
    expect(keys()).toEqual(['acme', 'initech']);
  });

  it('standard input takes --delete-missing with a --scope, and is refused without one', async () => {
    const csv = 'externalId,name\nacme,Acme\nglobex,Globex\n';
    const stdin = (text: string, ...args: string[]) =>
      runCli(['push', '-', '--format', 'csv', '--object', 'account', '--delete-missing', '--max-delete-share', '50', '--state', state, '--json', ...args], {
        env,
        stdin: text,
      });
    const refused = await stdin(csv);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--delete-missing on stdin needs --scope <name>');
    expect((await stdin(csv, '--scope', 'piped')).code).toBe(0);
    const second = await stdin('externalId,name\nacme,Acme\n', '--scope', 'piped');
    expect(deleted(second)).toEqual(['globex']);
  });

  it('a --scope that is no name is refused before anything is sent', async () => {
    const r = await push(day1(), '--scope', 'crm accounts');
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({
      code: 'CONFIG_INVALID_SCOPE',
      message: '--scope "crm accounts" must be letters, digits and . _ - : @ / (at most 200)',
      exitCode: 2,
    });
    expect(sb.requests).toHaveLength(0);
  });
});
