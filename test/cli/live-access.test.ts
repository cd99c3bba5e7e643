/**
 * Tokens as people paste them, a workspace without organizations, and what the Analytics API's 200 does
 * not say: end to end against the live profile of the sandbox.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, rows, runCli, sandboxEnv, summaryOf, tempDir, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
const said = () => sb.requests.map((q) => `${q.method} ${q.path} ${q.status}`);

describe('the token as people paste it (live profile)', () => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile: 'live' });

  it('the base64 half of the "Basic" header is sent as it is, and never printed', async () => {
    const half = Buffer.from(`${sb.token}:`).toString('base64');
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--json'], { env: { ...env, VITALLY_API_TOKEN: half } });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.action)).toEqual(['created', 'created', 'created', 'created']);
    expect(sb.requests.every((q) => q.status !== 401)).toBe(true);
    for (const secret of [half, sb.token]) expect(r.stdout + r.stderr).not.toContain(secret);
  });
});

describe('a workspace without organizations (live profile)', () => {
  beforeAll(async () => {
    sb = await createSandbox({ profile: 'live', organizations: false, rateLimit: FAST_RATE });
    dir = tempDir();
    env = sandboxEnv(sb);
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());

  it('organization rows fail saying why, the token is not blamed, and the rows that need no organization go on', async () => {
    await runCli(['push', 'fixtures/accounts.csv', '--object', 'account'], { env });
    const many = writeTemp(dir, 'orgs.csv', ['externalId,name', ...Array.from({ length: 10 }, (_, i) => `org-${i},Org ${i}`)].join('\n'));
    sb.requests.length = 0;
    // Whatever the concurrency, the rows that need organizations wait for the first one's answer: only it is sent.
    const orgs = await runCli(['push', many, '--object', 'organization', '--json', '--concurrency', '8'], { env });
    expect(orgs.code).toBe(1);
    expect(rows(orgs)[0]).toMatchObject({
      status: 'failed',
      httpStatus: 403,
      error:
        'PUT /resources/organizations/org-0 answered 403: organizations are not enabled for this workspace; the token is accepted elsewhere, so the rows that need organizations fail and the others go on',
    });
    for (const x of rows(orgs).slice(1)) {
      expect(x).toMatchObject({
        status: 'failed',
        httpStatus: 403,
        error: expect.stringMatching(/^not sent: organizations are not enabled for this workspace \(PUT/),
      });
    }
    // One organization request, and one to tell a missing feature from a refused token.
    expect(said().filter((q) => !q.startsWith('GET /resources/customFields'))).toEqual([
      'PUT /resources/organizations/org-0 403',
      'GET /resources/accounts?limit=1 200',
    ]);
    expect(orgs.stderr).toBe('');

    const users = writeTemp(
      dir,
      'users-orgs.csv',
      'externalId,name,accountExternalId,organizationExternalId\nu-1,Ada,acme,\nu-2,Bob,acme,org-north\nu-3,Cy,globex,\n',
    );
    const r = await runCli(['push', users, '--object', 'user', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status])).toEqual([
      ['u-1', 'ok'],
      ['u-2', 'failed'],
      ['u-3', 'ok'],
    ]);
    expect(rows(r)[1]!.error).toContain('organizations are not enabled for this workspace');
    expect(
      sb.store
        .all('users')
        .map((u) => u.externalId)
        .sort(),
    ).toEqual(['u-1', 'u-3']);
  });

  it('a token refused everywhere still stops the run at once with exit 3', async () => {
    const r = await runCli(['push', 'fixtures/organizations.csv', '--object', 'organization', '--types', 'as-read'], {
      env: { ...env, VITALLY_API_TOKEN: 'sk_live_wrong' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('was refused (401 Unauthorized)');
    expect(r.stderr).not.toContain('sk_live_wrong');
  });
});

describe('rows the Analytics API accepted (live profile)', () => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile: 'live' });

  it('are accepted, not confirmed: in the results, the summary and the state store, and a message Vitally dropped is among them', async () => {
    const state = join(dir, 'accepted.db');
    // globex does not exist: the live Vitally drops the user message naming it, after its 200.
    await runCli(['push', writeTemp(dir, 'acme.csv', 'externalId,name\nacme,Acme\n'), '--object', 'account'], { env });
    const users = writeTemp(dir, 'users.csv', 'externalId,name,accountExternalId\nu-1,Ada,acme\nu-2,Bob,globex\n');
    const r = await runCli(['push', users, '--object', 'user', '--via', 'analytics', '--state', state], { env });
    await sb.settled();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^row 1 +accepted +accepted +u-1 +200$/m);
    expect(r.stdout).toContain('Done: 2 rows (0 ok, 2 accepted (not confirmed), 0 skipped, 0 failed): accepted 2');
    expect(r.stdout).toContain('Warning: 2 rows were accepted, not confirmed');
    expect(sb.store.get('users', 'u-2')).toBeUndefined();
    expect(sb.store.droppedMessages).toHaveLength(1);

    const db = new Database(state, { readonly: true });
    expect(db.prepare("SELECT key, confirmed FROM sent WHERE object = 'user' ORDER BY key").all()).toEqual([
      { key: 'u-1', confirmed: 0 },
      { key: 'u-2', confirmed: 0 },
    ]);
    db.close();
    expect((await runCli(['state', 'show', '--state', state])).stdout).toContain('user: 2 records (2 accepted by the Analytics API, not confirmed)');
    // The next run does not pass them off as confirmed either.
    const again = await runCli(['push', users, '--object', 'user', '--via', 'analytics', '--state', state, '--json'], { env });
    expect(rows(again).map((x) => [x.status, x.note])).toEqual([
      ['skipped', 'accepted by an earlier run, never confirmed (--compare vitally checks it in Vitally; --full sends it again)'],
      ['skipped', 'accepted by an earlier run, never confirmed (--compare vitally checks it in Vitally; --full sends it again)'],
    ]);
    expect(summaryOf(again)).toMatchObject({ skipped: 2, accepted: 0 });
  });
});
