/**
 * --verify: the rows the Analytics API accepted are looked for in Vitally afterwards; those that did not
 * land fail and are sent again by the next run. With --compare vitally, only the rows that differ are
 * batched. Against both Vitallys, each dropping messages that name an unknown account.
 */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, rowRequests, rows, runCli, stderrJson, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';
import { account } from '../sandbox/helpers.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let n = 0;

const FAST = ['--verify-interval-ms', '20'];
const batches = () => sb.requests.filter((q) => q.path === '/analytics/v1/batch').map((q) => JSON.parse(q.body) as Array<Record<string, unknown>>);
const csv = (text: string) => writeTemp(dir, `rows-${++n}.csv`, text);
const outcomes = (r: Awaited<ReturnType<typeof runCli>>) => rows(r).map((x) => [x.row, x.key, x.status, x.action]);

describe.each(PROFILES)('--verify (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile, analyticsUnknown: 'drop', analyticsApply: 'deferred', analyticsDelayMs: 60 });
  beforeEach(() => {
    sb.requests.length = 0;
  });

  it('reports a row Vitally dropped as failed, confirms the others, and the next run sends the dropped one again', async () => {
    await account(sb, 'acme');
    const state = join(dir, `state-${++n}.db`);
    const file = csv('externalId,name,accountExternalId\nu1,Ada,acme\nu2,Bob,nowhere\nu3,Cy,acme\n');
    // One check, once the sandbox has applied the messages (60 ms after its answer).
    const once = ['--verify-timeout', '0', '--verify-interval-ms', '300'];
    const r = await runCli(['push', file, '--object', 'user', '--via', 'analytics', '--verify', ...once, '--state', state, '--json'], { env });
    expect(r.code).toBe(1);
    // Each row's result as sent, then a second one for the row that did not land.
    expect(outcomes(r)).toEqual([
      [1, 'u1', 'accepted', 'accepted'],
      [2, 'u2', 'accepted', 'accepted'],
      [3, 'u3', 'accepted', 'accepted'],
      [2, 'u2', 'failed', 'not_landed'],
    ]);
    expect(rows(r)[3].error).toMatch(
      /^accepted by the Analytics API, but not found in Vitally with the values sent after \d+ s: Vitally has no user with externalId "u2"; the next run sends it again$/,
    );
    expect(summaryOf(r)).toMatchObject({
      rows: 3,
      ok: 2,
      accepted: 0,
      failed: 1,
      byAction: { verified: 2, not_landed: 1 },
      verify: { rows: 3, landed: 2, notLanded: 1 },
    });
    expect(r.stderr).toContain('Verifying: 2 rows found in Vitally, 1 not yet; done looking');

    // The store: two confirmed, one kept unconfirmed with no hash, so the next run sends it (and only it).
    sb.requests.length = 0;
    const again = await runCli(['push', file, '--object', 'user', '--via', 'analytics', '--state', state, '--compare', 'state', '--json'], { env });
    expect(outcomes(again)).toEqual([
      [1, 'u1', 'skipped', 'unchanged'],
      [2, 'u2', 'accepted', 'accepted'],
      [3, 'u3', 'skipped', 'unchanged'],
    ]);
    expect(rows(again).filter((x) => x.note)).toEqual([]);
    expect(
      batches()
        .flat()
        .map((m) => m.userId),
    ).toEqual(['u2']);
  });

  it('sends again, and looks for, a row an earlier run without --verify only had accepted: it is not skipped as unchanged', async () => {
    await account(sb, 'acme');
    const state = join(dir, `state-${++n}.db`);
    const file = csv('externalId,name,accountExternalId\nu1,Ada,acme\nu2,Bob,nowhere\n');
    const first = await runCli(['push', file, '--object', 'user', '--via', 'analytics', '--state', state, '--json'], { env });
    expect(outcomes(first)).toEqual([
      [1, 'u1', 'accepted', 'accepted'],
      [2, 'u2', 'accepted', 'accepted'],
    ]);
    // Vitally dropped u2 (it names no account Vitally has); nothing told the first run.
    sb.requests.length = 0;
    const once = ['--verify-timeout', '0', '--verify-interval-ms', '300'];
    const r = await runCli(['push', file, '--object', 'user', '--via', 'analytics', '--verify', ...once, '--state', state, '--json'], { env });
    expect(r.code).toBe(1);
    expect(outcomes(r)).toEqual([
      [1, 'u1', 'accepted', 'accepted'],
      [2, 'u2', 'accepted', 'accepted'],
      [2, 'u2', 'failed', 'not_landed'],
    ]);
    expect(summaryOf(r)).toMatchObject({ ok: 1, failed: 1, verify: { rows: 2, landed: 1, notLanded: 1 } });
    // Once u1 is confirmed, a run with --verify skips it; u2 is sent again.
    const third = await runCli(['push', file, '--object', 'user', '--via', 'analytics', '--verify', ...once, '--state', state, '--json'], { env });
    expect(outcomes(third)).toEqual([
      [1, 'u1', 'skipped', 'unchanged'],
      [2, 'u2', 'accepted', 'accepted'],
      [2, 'u2', 'failed', 'not_landed'],
    ]);
  });

  it('looks for a row that does not land until the wait given is over, the last wait cut to the time left', async () => {
    const file = csv('externalId,name,accountExternalId\nu9,Ida,nowhere\n');
    const r = await runCli(
      ['push', file, '--object', 'user', '--via', 'analytics', '--verify', '--verify-timeout', '1', '--verify-interval-ms', '300', '--json'],
      {
        env,
      },
    );
    expect(r.code).toBe(1);
    expect(outcomes(r)).toEqual([
      [1, 'u9', 'accepted', 'accepted'],
      [1, 'u9', 'failed', 'not_landed'],
    ]);
    // Checks 300 and 600 ms apart leave less than the next doubling (1200 ms): the last wait is what is left.
    expect(summaryOf(r).verify.waitedMs).toBeGreaterThanOrEqual(1000);
    const waits = stderrJson(r)
      .flatMap((o) => ('notice' in o ? [o.notice.message as string] : []))
      .map((m) => /checking again in (\d+) ms \((\d+) ms left\)/.exec(m))
      .filter((m) => m !== null);
    expect(waits.length).toBeGreaterThan(0);
    for (const [, next, left] of waits) expect(Number(next)).toBeLessThanOrEqual(Number(left));
  });

  it('with many rows, reads what changed since the run began (newest first) and stops at what is older', async () => {
    for (let i = 0; i < 250; i++) await account(sb, `old-${i}`);
    sb.requests.length = 0;
    // 150 new accounts, one of them in an organization Vitally does not have (its message is dropped).
    const lines = ['externalId,name,organizationExternalId', ...Array.from({ length: 150 }, (_, i) => `new-${i},New ${i},${i === 7 ? 'nowhere' : ''}`)];
    const file = csv(lines.join('\n'));
    // One check, once the sandbox has applied the messages.
    const r = await runCli(
      ['push', file, '--object', 'account', '--via', 'analytics', '--verify', '--verify-timeout', '0', '--verify-interval-ms', '300', '--json', '--quiet'],
      {
        env,
      },
    );
    expect(r.code).toBe(1);
    expect(summaryOf(r).verify).toMatchObject({ rows: 150, landed: 149, notLanded: 1 });
    expect(
      rows(r)
        .filter((x) => x.status === 'failed')
        .map((x) => [x.key, x.action]),
    ).toEqual([['new-7', 'not_landed']]);
    const gets = rowRequests(sb)
      .filter((q) => q.method === 'GET' && q.path.startsWith('/resources/accounts?'))
      .map((q) => q.path.replace(/&from=.*$/, '&from=...'));
    // Vitally's clock read once before the first row; then the 149 changed accounts fill a page and a
    // half, the next page is all older than the run, and the 100 accounts after it are never read.
    const page = '/resources/accounts?limit=100&sortBy=updatedAt&status=activeOrChurned';
    expect(gets).toEqual([page.replace('limit=100', 'limit=1'), page, `${page}&from=...`, `${page}&from=...`]);
  });

  it('with --compare vitally, only the rows that differ go into the batches, and --verify finds them', async () => {
    for (let i = 0; i < 10; i++) await account(sb, `a-${i}`, { name: `A ${i}`, traits: { plan: 'pro' } });
    const lines = ['externalId,name,plan', ...Array.from({ length: 10 }, (_, i) => `a-${i},A ${i},${i < 2 ? 'scale' : 'pro'}`), 'a-new,A new,pro'];
    sb.requests.length = 0;
    const r = await runCli(
      ['push', csv(lines.join('\n')), '--object', 'account', '--via', 'analytics', '--compare', 'vitally', '--verify', ...FAST, '--json', '--quiet'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(
      batches()
        .flat()
        .map((m) => m.accountId),
    ).toEqual(['a-0', 'a-1', 'a-new']);
    expect(summaryOf(r)).toMatchObject({ skipped: 8, ok: 3, verify: { rows: 3, landed: 3 }, compare: { with: 'vitally', listed: 10 } });
    expect(sb.store.get('accounts', 'a-1')!.traits).toMatchObject({ plan: 'scale' });
  });
});

describe.each(PROFILES)('--verify when Vitally applies messages late (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile, analyticsApply: 'deferred', analyticsDelayMs: 2000 });

  it('waits for Vitally to apply the rows, checking again further apart, and says so on stderr', async () => {
    await account(sb, 'acme');
    sb.requests.length = 0;
    const lines = ['externalId,name,accountExternalId', ...Array.from({ length: 5 }, (_, i) => `u${i},User ${i},acme`)];
    const r = await runCli(['push', csv(lines.join('\n')), '--object', 'user', '--via', 'analytics', '--verify', '--verify-timeout', '30', ...FAST, '--json'], {
      env,
    });
    expect(r.code).toBe(0);
    expect(summaryOf(r)).toMatchObject({ ok: 5, accepted: 0, failed: 0, verify: { rows: 5, landed: 5, notLanded: 0 } });
    // With --json, stderr says it as JSON notices too.
    const checks = stderrJson(r)
      .flatMap((o) => ('notice' in o ? [o.notice.message as string] : []))
      .filter((m) => m.startsWith('Verifying:'));
    // Checks 20, 40, 80 ms apart find nothing yet (Vitally applies 2 s after its answer: room for a loaded
    // machine's slow checks); then all are found.
    expect(checks.slice(0, 3).map((m) => m.replace(/\(\d+ s left\)$/, '(… left)'))).toEqual([
      'Verifying: 0 rows found in Vitally, 5 not yet; checking again in 40 ms (… left)',
      'Verifying: 0 rows found in Vitally, 5 not yet; checking again in 80 ms (… left)',
      'Verifying: 0 rows found in Vitally, 5 not yet; checking again in 160 ms (… left)',
    ]);
    expect(checks.at(-1)).toBe('Verifying: 5 rows found in Vitally, 0 not yet; done looking');
    // Few rows: each one is read by its key until it is found, and then never again.
    const gets = rowRequests(sb).filter((q) => q.method === 'GET' && q.path.startsWith('/resources/users/'));
    expect(new Set(gets.map((q) => q.path)).size).toBe(5);
    expect(gets.filter((q) => q.status === 200)).toHaveLength(5);
  });
});

describe('--verify where it cannot work', () => {
  useSandbox((c) => ({ sb, dir, env } = c));

  it('is refused before anything is sent, saying why (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [['fixtures/accounts.csv', '--object', 'account', '--verify'], '--verify is for --via analytics: a REST answer already confirms its record'],
      [
        ['fixtures/events.csv', '--object', 'event', '--event-column', 'event_name', '--verify'],
        '--verify reads the records back from Vitally: it is for accounts, users, organizations and custom object instances, not events',
      ],
      [['fixtures/accounts.csv', '--object', 'account', '--verify-timeout', '10'], '--verify-timeout bounds --verify: add --verify, or drop it'],
      [
        ['fixtures/accounts.csv', '--object', 'account', '--via', 'analytics', '--verify', '--verify-timeout', 'soon'],
        '--verify-timeout "soon" must be a whole number from 0 to 3600',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['push', ...args], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    expect(sb.requests).toEqual([]);
  });
});
