import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, PROFILES, rowRequests, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

/** A run, then the Analytics messages it sent applied (the live Vitally applies them after its answer). */
const run = async (...args: Parameters<typeof runCli>) => {
  const r = await runCli(...args);
  await sb.settled();
  return r;
};

const EVENT_FLAGS = [
  '--object',
  'event',
  '--event-column',
  'event_name',
  '--timestamp-column',
  'ts',
  '--map',
  'user_id=userId',
  '--map',
  'account_id=accountId',
];
const batches = () => sb.requests.filter((r) => r.path === '/analytics/v1/batch');

describe.each(PROFILES)('the Analytics API (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile });

  describe('events', () => {
    // The live Vitally drops an event naming an account it does not have: the accounts come first.
    beforeEach(async () => {
      if (profile === 'live') {
        await runCli(['push', writeTemp(dir, 'event-accounts.csv', 'externalId,name\nacme,Acme\nglobex,Globex\na1,A1\n'), '--object', 'account'], { env });
        sb.requests.length = 0;
      }
    });

    it('arrive from CSV with name, timestamp, ids and properties, in one batch', async () => {
      const r = await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS, '--json'], { env });
      expect(r.code).toBe(0);
      // Accepted, not confirmed: the Analytics API says nothing of any one message.
      expect(rows(r).map((x) => [x.status, x.action])).toEqual([
        ['accepted', 'accepted'],
        ['accepted', 'accepted'],
        ['accepted', 'accepted'],
      ]);
      expect(summaryOf(r)).toMatchObject({ ok: 0, accepted: 3 });
      expect(summaryOf(r).warnings).toEqual([expect.stringContaining('3 rows were accepted, not confirmed')]);
      expect(batches()).toHaveLength(1);
      expect(sb.store.events.map((e) => [e.event, e.userId, e.accountId, e.timestamp, e.properties])).toEqual([
        ['login', 'u-1', 'acme', '2026-11-20T08:00:00.000Z', { plan: 'enterprise', seats: 40 }],
        ['report_exported', 'u-2', 'globex', '2025-11-20T08:00:00.000Z', { plan: 'growth', seats: 12 }],
        ['login', 'u-3', 'acme', '2025-11-20T09:00:00.000Z', { plan: 'enterprise' }],
      ]);
      expect(sb.store.events.every((e) => /^vs-[0-9a-f]{32}$/.test(e.messageId ?? ''))).toBe(true);
    });

    it('arrive from NDJSON with JSON types kept as properties', async () => {
      const r = await run(['push', 'fixtures/events.ndjson', '--object', 'event', '--json'], { env });
      expect(r.code).toBe(0);
      expect(sb.store.events[1]).toMatchObject({
        event: 'feature_used',
        accountId: 'globex',
        userId: null,
        properties: { feature: 'alerts', count: 1, beta: true },
      });
    });

    it('--event names every row; a row without user or account id fails alone; bad timestamps fail', async () => {
      const file = writeTemp(
        dir,
        'ev.csv',
        'userId,accountId,ts,page\nu1,a1,2026-01-01T00:00:00Z,home\n,,2026-01-01T00:00:00Z,orphan\nu2,,yesterday,pricing\nu3,,,docs\n',
      );
      const r = await run(['push', file, '--object', 'event', '--event', 'page_viewed', '--timestamp-column', 'ts', '--json'], { env });
      expect(r.code).toBe(1);
      expect(rows(r).map((x) => [x.status, x.error])).toEqual([
        ['accepted', null],
        ['failed', 'userId or accountId or organizationId: at least one is required'],
        ['failed', 'column "ts" -> timestamp (datetime): "yesterday" is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ) or epoch time'],
        ['accepted', null],
      ]);
      expect(sb.store.events.map((e) => [e.event, e.properties])).toEqual([
        ['page_viewed', { page: 'home' }],
        ['page_viewed', { page: 'docs' }],
      ]);
      // A row without a time is stamped when read.
      expect(Date.now() - Date.parse(sb.store.events[1]!.timestamp!)).toBeLessThan(3_600_000);
    });

    it('rows from standard input are not held back in a batch while the input pauses', async () => {
      const stdin = new PassThrough();
      stdin.write('{"event":"login","userId":"u1","timestamp":"2026-01-01T00:00:00Z"}\n{"event":"login","userId":"u2","timestamp":"2026-01-01T00:00:01Z"}\n');
      const running = runCli(['push', '-', '--format', 'ndjson', '--object', 'event', '--json'], { env, stdin });
      // The input stays open: the two rows go out in a batch of their own after a short idle time.
      for (let waited = 0; batches().length === 0 && waited < 5000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(batches().map((b) => JSON.parse(b.body).map((m: { userId: string }) => m.userId))).toEqual([['u1', 'u2']]);
      stdin.end('{"event":"logout","userId":"u1","timestamp":"2026-01-01T00:00:02Z"}\n');
      const r = await running;
      expect(r.code).toBe(0);
      expect(rows(r).map((x) => x.action)).toEqual(['accepted', 'accepted', 'accepted']);
      expect(batches()).toHaveLength(2);
    });

    it('re-running the file cannot double-count: same messageIds, and with the state store nothing is sent', async () => {
      await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS], { env });
      await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS], { env });
      expect(sb.store.events).toHaveLength(3);
      expect(sb.stats.messages.deduplicated).toBe(3);
      const state = join(dir, 'events-state.db');
      await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS, '--state', state], { env });
      sb.requests.length = 0;
      const again = await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS, '--state', state, '--json'], { env });
      expect(summaryOf(again)).toMatchObject({ skipped: 3, requests: 0 });
      expect(sb.requests).toHaveLength(0);
    });

    it('needs the Analytics token, and says which token was refused', async () => {
      const noToken = await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS], { env: { ...env, VITALLY_ANALYTICS_TOKEN: '' } });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr).toContain('No Analytics API token');
      const swapped = await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS], { env: { ...env, VITALLY_ANALYTICS_TOKEN: sb.token } });
      expect(swapped.code).toBe(3);
      expect(swapped.stderr).toContain('The token in VITALLY_ANALYTICS_TOKEN was refused (401 Unauthorized)');
      expect(swapped.stderr + swapped.stdout).not.toContain(sb.token);
    });

    it('EU without an Analytics host stops before sending and says where to copy it from', async () => {
      const r = await run(['push', 'fixtures/events.csv', ...EVENT_FLAGS, '--region', 'eu'], { env: { VITALLY_ANALYTICS_TOKEN: 'x' } });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('The Analytics API has no documented EU host');
      expect(r.stderr).toContain('--analytics-base-url');
    });
  });

  describe('--via analytics: the bulk path', () => {
    const accountsCsv = (n: number, from = 1) =>
      ['externalId,name,tier', ...Array.from({ length: n }, (_, i) => `acc-${from + i},Account ${from + i},${(from + i) % 3}`)].join('\n');

    it('250 accounts in 3 requests, readable through REST', async () => {
      const file = writeTemp(dir, 'acc-250.csv', accountsCsv(250));
      const r = await run(['push', file, '--object', 'account', '--via', 'analytics', '--json'], { env });
      expect(r.code).toBe(0);
      expect(summaryOf(r)).toMatchObject({ rows: 250, ok: 0, accepted: 250, requests: 3, byAction: { accepted: 250 } });
      // Packed in input order, 100 a batch; two batches travel at once, so they may arrive in either order.
      const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `acc-${from + i}`);
      const packed = batches()
        .map((b) => (JSON.parse(b.body) as Array<{ accountId: string }>).map((m) => m.accountId))
        .sort((a, b) => Number(a[0]!.slice(4)) - Number(b[0]!.slice(4)));
      expect(packed).toEqual([ids(1, 100), ids(101, 100), ids(201, 50)]);
      expect(sb.store.get('accounts', 'acc-42')).toMatchObject({ name: 'Account 42', traits: { tier: 0 } });
      expect(rowRequests(sb).every((q) => q.api === 'analytics')).toBe(true);
    });

    it('updates through batches too, and organizations and users with their links', async () => {
      await run(['push', 'fixtures/organizations.csv', '--object', 'organization', '--via', 'analytics'], { env });
      const acc = writeTemp(dir, 'acc-org.csv', 'externalId,name,organizationExternalId\nacme,Acme,org-north\nglobex,Globex,org-north\n');
      await run(['push', acc, '--object', 'account', '--via', 'analytics'], { env });
      const r = await run(['push', 'fixtures/users.csv', '--object', 'user', '--via', 'analytics', '--json'], { env });
      expect(r.code).toBe(0);
      const org = sb.store.get('organizations', 'org-north')!;
      expect(org.name).toBe('Northwind Holdings');
      expect(sb.store.get('accounts', 'acme')!.organizationId).toBe(org.id);
      // u-3 has two accounts: two user messages, in the same batch as the rest.
      expect(batches().at(-1)!.body).toContain('"userId":"u-3","accountId":"globex"');
      expect(JSON.parse(batches().at(-1)!.body)).toHaveLength(4);
      const u3 = sb.store.get('users', 'u-3')!;
      expect(u3).toMatchObject({ name: 'Alan Turing', email: 'alan@acme.example', traits: { role: 'member' } });
      expect((u3.accountIds as string[]).sort()).toEqual([sb.store.get('accounts', 'acme')!.id, sb.store.get('accounts', 'globex')!.id].sort());
      const renamed = writeTemp(dir, 'acc-rename.csv', 'externalId,name\nacme,Acme Renamed\n');
      await run(['push', renamed, '--object', 'account', '--via', 'analytics'], { env });
      expect(sb.store.get('accounts', 'acme')!.name).toBe('Acme Renamed');
    });

    it("one invalid row in a batch fails alone with Vitally's message; its 99 neighbours land", async () => {
      const lines = Array.from({ length: 100 }, (_, i) =>
        JSON.stringify(i === 57 ? { externalId: 'bad', name: 'Bad', traits: { avatar: 123 } } : { externalId: `ok-${i}`, name: `OK ${i}` }),
      );
      const file = writeTemp(dir, 'one-bad.ndjson', lines.join('\n'));
      const r = await run(['push', file, '--object', 'account', '--via', 'analytics', '--json'], { env });
      expect(sb.store.all('accounts')).toHaveLength(99);
      if (profile === 'live') {
        // The live Vitally answers 200 and drops the bad message: the row is accepted, and it is the
        // state store's accepted rows that let a later check find it missing.
        expect(r.code).toBe(0);
        expect(rows(r)[57]).toMatchObject({ key: 'bad', status: 'accepted' });
        expect(sb.store.droppedMessages.map((d) => (d.message as { accountId?: string }).accountId)).toEqual(['bad']);
        return;
      }
      expect(r.code).toBe(1);
      const failedRows = rows(r).filter((x) => x.status === 'failed');
      expect(failedRows).toEqual([
        expect.objectContaining({ row: 58, key: 'bad', httpStatus: 400, error: expect.stringContaining('traits.avatar must be a string') }),
      ]);
      expect(batches().length).toBeLessThanOrEqual(16); // 1 + a bisection down to the one row
    });

    it('a message type the workspace blocks stops the run with exit 2 instead of bisecting on', async () => {
      sb.options.blockedAnalyticsTypes = ['account'];
      const file = writeTemp(dir, 'acc-blocked.csv', accountsCsv(300));
      const r = await run(['push', file, '--object', 'account', '--via', 'analytics', '--json'], { env });
      sb.options.blockedAnalyticsTypes = [];
      expect(r.code).toBe(2);
      expect(errorOf(r)).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, message: expect.stringContaining('Vitally refused every "account" message') });
      expect(rowRequests(sb).length).toBeLessThanOrEqual(3); // the batches already in flight, no bisection
    });

    it('a repeated file sends nothing with the state store', async () => {
      const state = join(dir, 'bulk-state.db');
      const file = writeTemp(dir, 'acc-120.csv', accountsCsv(120));
      await run(['push', file, '--object', 'account', '--via', 'analytics', '--state', state], { env });
      sb.requests.length = 0;
      const again = await run(['push', file, '--object', 'account', '--via', 'analytics', '--state', state, '--json'], { env });
      expect(summaryOf(again)).toMatchObject({ skipped: 120, requests: 0 });
      expect(sb.requests).toHaveLength(0);
    });

    it('dry-run prints each batch request once', async () => {
      const file = writeTemp(dir, 'acc-150.csv', accountsCsv(150));
      const r = await run(['push', file, '--object', 'account', '--via', 'analytics', '--dry-run', '--json'], { env: {} });
      expect(r.code).toBe(0);
      const withRequests = rows(r).filter((x) => x.requests);
      expect(withRequests.map((x) => [x.row, x.requests[0].body.length])).toEqual([
        [1, 100],
        [101, 50],
      ]);
      expect(sb.requests).toHaveLength(0);
    });

    it('insert and update need REST; Vitally ids are refused', async () => {
      for (const mode of ['insert', 'update']) {
        const r = await run(['push', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics', '--mode', mode], { env });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--via analytics only upserts`);
      }
      const file = writeTemp(dir, 'user-vitally-ids.csv', 'externalId,accountIds\nu1,1f0c8a3e-0000-0000-0000-000000000000\n');
      const r = await run(['push', file, '--object', 'user', '--via', 'analytics', '--json'], { env });
      expect(rows(r)[0]!.error).toContain('accountIds: holds Vitally ids; with --via analytics name them by accountExternalId(s)');
    });
  });

  describe('--unlink-removed', () => {
    it('unlinks only the links that left the file, after it was read whole', async () => {
      const state = join(dir, 'links-state.db');
      await run(['push', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics'], { env });
      const users = writeTemp(dir, 'links.csv', 'externalId,name,accountExternalIds\nu-1,Ada,acme;globex\nu-2,Grace,globex\n');
      const push = (...extra: string[]) =>
        run(['push', users, '--object', 'user', '--via', 'analytics', '--state', state, '--unlink-removed', '--json', ...extra], { env });
      expect((await push()).code).toBe(0);
      const acme = sb.store.get('accounts', 'acme')!.id;
      const globex = sb.store.get('accounts', 'globex')!.id;
      expect((sb.store.get('users', 'u-1')!.accountIds as string[]).sort()).toEqual([acme, globex].sort());

      // u-1 leaves globex; u-2 is unchanged.
      writeTemp(dir, 'links.csv', 'externalId,name,accountExternalIds\nu-1,Ada,acme\nu-2,Grace,globex\n');
      const dry = await push('--dry-run');
      expect(
        rows(dry)
          .filter((r) => r.row === 0)
          .map((r) => [r.key, r.action, r.requests[0].body[0].type]),
      ).toEqual([['u-1|globex', 'planned', 'unlink']]);
      sb.requests.length = 0;
      const r = await push();
      expect(rows(r).map((x) => [x.row, x.key, x.action])).toEqual([
        [1, 'u-1', 'accepted'],
        [2, 'u-2', 'unchanged'],
        [0, 'u-1|globex', 'unlinked'],
      ]);
      expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([acme]);
      expect(sb.store.get('users', 'u-2')!.accountIds).toEqual([globex]);
      // Nothing more to unlink next time.
      sb.requests.length = 0;
      await push();
      expect(sb.requests).toHaveLength(0);
    });

    it('unlinks nothing when the file has a row it could not read', async () => {
      const state = join(dir, 'links-state-2.db');
      await run(['push', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics'], { env });
      const users = writeTemp(dir, 'links2.csv', 'externalId,accountExternalIds\nu-5,acme;globex\n');
      const push = () => run(['push', users, '--object', 'user', '--via', 'analytics', '--state', state, '--unlink-removed', '--json'], { env });
      await push();
      writeTemp(dir, 'links2.csv', 'externalId,accountExternalIds\nu-5,acme\nu-6,acme,extra\n');
      const r = await push();
      expect(summaryOf(r).warnings).toContain('--unlink-removed: nothing was unlinked because row 2 (line 3) could not be read');
      expect(sb.store.get('users', 'u-5')!.accountIds).toHaveLength(2);
    });
  });

  describe('--via analytics across runs', () => {
    it('a value that changes and changes back is applied each time (object messageIds are per run)', async () => {
      const file = (plan: string) => writeTemp(dir, 'revert.csv', `externalId,name,plan\nrv-1,Revert,${plan}\n`);
      for (const plan of ['gold', 'silver', 'gold']) {
        const r = await run(['push', file(plan), '--object', 'account', '--via', 'analytics'], { env });
        expect(r.code).toBe(0);
        expect(sb.store.get('accounts', 'rv-1')!.traits).toMatchObject({ plan });
      }
    });

    it('--delete-missing is refused with --via analytics', async () => {
      const r = await run(['push', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics', '--delete-missing', '--state', join(dir, 'x.db')], {
        env,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--delete-missing deletes through the REST API');
    });
  });

  describe('event columns', () => {
    it('an NDJSON properties object becomes the properties; a --timestamp-column the file lacks is reported', async () => {
      const file = writeTemp(dir, 'props.ndjson', '{"event":"signup","userId":"u1","properties":{"plan":"pro","seats":3},"source":"web"}\n');
      const r = await run(['push', file, '--object', 'event', '--timestamp-column', 'when', '--json'], { env });
      expect(r.code).toBe(0);
      expect(sb.store.events[0]!.properties).toEqual({ plan: 'pro', seats: 3, source: 'web' });
      expect(summaryOf(r).warnings).toContain('--map when: no record has a column "when", so it was not used');
    });
  });
});
