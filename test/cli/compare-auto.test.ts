/** The comparison a run chooses when none is given: the state store when it knows the records, else a listing of Vitally for a large input. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rowRequests, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let n = 0;

function accounts(rows: number): string {
  const lines = ['externalId,name'];
  for (let i = 1; i <= rows; i++) lines.push(`a-${i},Account ${i}`);
  return writeTemp(dir, `accounts-${++n}.csv`, `${lines.join('\n')}\n`);
}

const listings = () => rowRequests(sb).filter((q) => q.method === 'GET' && q.path.startsWith('/resources/accounts?'));
const puts = () => rowRequests(sb).filter((q) => q.method === 'PUT');

describe('the comparison a run chooses', () => {
  useSandbox((c) => ({ sb, dir, env } = c));

  it('a first load of 1000 rows or more with no store: lists Vitally first, and creates each row with one request', async () => {
    const r = await runCli(['push', accounts(1000), '--object', 'account', '--json', '--quiet', '--types', 'as-read'], { env });
    expect(r.code).toBe(0);
    expect(summaryOf(r).compare).toEqual({
      with: 'vitally',
      chosen: 'chosen: without a state store and the input holds at least 1000 rows',
      listed: 0,
      listRequests: 1,
      notInInput: 0,
    });
    expect(listings()).toHaveLength(1);
    expect(puts()).toEqual([]);
    expect(summaryOf(r).requests).toBe(1001);
  });

  it('a small input is sent without a listing (PUT, then POST on 404)', async () => {
    const r = await runCli(['push', accounts(999), '--object', 'account', '--json', '--quiet', '--types', 'as-read'], { env });
    expect(summaryOf(r).compare).toMatchObject({ with: 'none', chosen: 'chosen: without a state store; the input holds fewer than 1000 rows' });
    expect(listings()).toEqual([]);
    expect(summaryOf(r).requests).toBe(2 * 999);
  });

  it('a store that knows the records compares with them; one that knows none of this type lets the run list Vitally', async () => {
    const state = join(dir, `state-${++n}.db`);
    const file = accounts(1000);
    await runCli(['push', 'fixtures/organizations.csv', '--object', 'organization', '--state', state], { env });
    const first = await runCli(['push', file, '--object', 'account', '--state', state, '--json', '--quiet', '--types', 'as-read'], { env });
    expect(summaryOf(first).compare).toMatchObject({
      with: 'vitally',
      chosen: 'chosen: the state store knows none of these records and the input holds at least 1000 rows',
    });
    sb.requests.length = 0;
    const again = await runCli(['push', file, '--object', 'account', '--state', state, '--json', '--quiet', '--types', 'as-read'], { env });
    expect(summaryOf(again)).toMatchObject({ skipped: 1000, requests: 0, compare: { with: 'state', chosen: 'chosen: the state store knows these records' } });
    expect(rowRequests(sb)).toEqual([]);
  });

  it('types Vitally does not list whole, --mode insert, a dry run and --full never list', async () => {
    const file = accounts(1000);
    for (const args of [['--mode', 'insert'], ['--dry-run'], ['--state', join(dir, `full-${++n}.db`), '--full']]) {
      sb.requests.length = 0;
      const r = await runCli(['push', file, '--object', 'account', '--json', '--quiet', '--types', 'as-read', ...args], { env });
      expect(listings()).toEqual([]);
      expect(summaryOf(r).compare.with).not.toBe('vitally');
    }
    const notes = writeTemp(dir, `notes-${++n}.csv`, `accountExternalId,note\n${Array.from({ length: 1000 }, (_, i) => `a-1,note ${i}`).join('\n')}\n`);
    const r = await runCli(['push', notes, '--object', 'note', '--json', '--quiet', '--dry-run'], { env });
    expect(summaryOf(r).compare).toMatchObject({ with: 'none' });
  });

  it('refuses --compare where it cannot work, naming why (exit 2, nothing sent)', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['--object', 'note', '--compare', 'vitally'],
        '--compare vitally is for accounts, users, organizations and custom object instances (Vitally lists them whole), not notes',
      ],
      [['--object', 'user', '--compare', 'vitally', '--match', 'email'], '--compare vitally matches rows to records by externalId: drop --match email'],
      [['--object', 'account', '--compare', 'state', '--no-state'], '--compare state needs the state store: drop --no-state, or use --compare vitally'],
      [['--object', 'account', '--compare', 'vitally', '--full', '--state', join(dir, 'x.db')], '--full sends every row: drop --compare vitally'],
      [['--object', 'account', '--compare', 'sometimes'], "option '--compare <with>' argument 'sometimes' is invalid"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['push', 'fixtures/accounts.csv', ...args], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(rowRequests(sb)).toEqual([]);
    const noToken = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--compare', 'vitally', '--dry-run'], {
      env: { VITALLY_BASE_URL: sb.url },
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('No REST API token');
  });
});
