/** `vitally-sync diff`: what a push would change in the live workspace, sending nothing; exit 0 when it matches, 1 when it differs. */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, rowRequests, runCli, useSandbox, writeTemp } from '../helpers/cli.js';
import { account } from '../sandbox/helpers.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let n = 0;

const csv = (name: string, text: string) => writeTemp(dir, name, text);
const writes = () => rowRequests(sb).filter((q) => q.method !== 'GET');

describe.each(PROFILES)('diff (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile });
  let acme: string;
  beforeEach(async () => {
    acme = (await account(sb, 'acme', { name: 'Acme Inc', traits: { mrr: 1200, plan: 'enterprise' } })).id;
    await account(sb, 'globex', { name: 'Globex', traits: { mrr: 450 } });
    await account(sb, 'elsewhere', { name: 'Made in the CRM' });
    sb.requests.length = 0;
  });

  it('shows each record a push would create or change, field by field, and what would fail; sends nothing; exits 1', async () => {
    const file = csv(`d-${++n}.csv`, 'externalId,name,mrr,plan\nacme,Acme Inc,1500,scale\nglobex,Globex,450,\nhooli,Hooli,300,growth\nnameless,,1,\n');
    const r = await runCli(['diff', file, '--object', 'account', '--types', 'auto'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      [
        `~ acme (row 1, id ${acme})`,
        '    traits.mrr: 1200 -> 1500',
        '    traits.plan: "enterprise" -> "scale"',
        '+ hooli (row 3)',
        '    name: "Hooli"',
        '    traits.mrr: 300',
        '    traits.plan: "growth"',
        '! row 4 (nameless): name: required to create an account',
        `Vitally differs from the input: 1 new, 1 changed, 1 would fail; 1 unchanged (4 rows; 3 records listed in ${profile === 'live' ? '2 requests' : '1 request'})`,
        '',
      ].join('\n'),
    );
    // Only the listing was read: no write, no look-up.
    expect(writes()).toEqual([]);
    expect(rowRequests(sb).every((q) => q.path.startsWith('/resources/accounts?limit=100&sortBy=createdAt&status=activeOrChurned'))).toBe(true);
  });

  it('--json gives the same as objects, then the counts', async () => {
    const file = csv(`d-${++n}.csv`, 'externalId,name,mrr\nacme,Acme Inc,1500\nhooli,Hooli,300\n');
    const r = await runCli(['diff', file, '--object', 'account', '--json', '--types', 'auto'], { env });
    expect(r.code).toBe(1);
    expect(r.json).toEqual([
      { diff: 'changed', row: 1, key: 'acme', id: acme, fields: [{ field: 'traits.mrr', old: 1200, new: 1500 }] },
      {
        diff: 'new',
        row: 2,
        key: 'hooli',
        id: null,
        fields: [
          { field: 'name', old: null, new: 'Hooli' },
          { field: 'traits.mrr', old: null, new: 300 },
        ],
      },
      {
        summary: {
          new: 1,
          changed: 1,
          delete: 0,
          fail: 0,
          unchanged: 0,
          rows: 2,
          listed: 3,
          listRequests: profile === 'live' ? 2 : 1,
          notInInput: 2,
          requests: profile === 'live' ? 2 : 1,
        },
      },
    ]);
  });

  it('exits 0 when Vitally already matches the input', async () => {
    const file = csv(`d-${++n}.csv`, 'externalId,name,mrr\nacme,Acme Inc,1200\nglobex,Globex,450\n');
    const r = await runCli(['diff', file, '--object', 'account', '--types', 'auto'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Vitally matches the input: 2 unchanged (2 rows; 3 records listed in ${profile === 'live' ? '2 requests' : '1 request'})\n`);
  });

  it('with --delete-missing, shows what push would delete: records synced from this input before, never those made elsewhere', async () => {
    const state = join(dir, `state-${++n}.db`);
    const file = join(dir, `synced-${n}.csv`);
    csv(`synced-${n}.csv`, 'externalId,name,mrr\nacme,Acme Inc,1200\nglobex,Globex,450\nhooli,Hooli,1\n');
    await runCli(['push', file, '--object', 'account', '--state', state, '--types', 'auto'], { env });
    const hooli = sb.store.get('accounts', 'hooli')!.id;
    // The export now lacks hooli (synced from it before) and still lacks elsewhere (never synced from it).
    csv(`synced-${n}.csv`, 'externalId,name,mrr\nacme,Acme Inc,1200\nglobex,Globex,450\n');
    sb.requests.length = 0;
    const r = await runCli(['diff', file, '--object', 'account', '--state', state, '--delete-missing', '--max-delete-share', '50', '--types', 'auto'], { env });
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')).toEqual([
      `- hooli (id ${hooli}): synced from this input before, not in it now`,
      `Vitally differs from the input: 0 new, 0 changed, 1 to delete; 2 unchanged (2 rows; 4 records listed in ${profile === 'live' ? '2 requests' : '1 request'})`,
      '',
    ]);
    expect(writes()).toEqual([]);
    expect(sb.store.get('accounts', 'hooli')).toBeDefined();
  });
});

describe('diff: usage', () => {
  useSandbox((c) => ({ sb, dir, env } = c));

  it('exits 2 on a usage error, naming it, before any request', async () => {
    const cases: Array<[string[], string]> = [
      [['diff', 'fixtures/accounts.csv'], 'push needs --object'],
      [['diff', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics'], "error: unknown option '--via'"],
      [['diff', 'fixtures/accounts.csv', '--object', 'note'], '--compare vitally is for accounts, users, organizations and custom object instances'],
      [['diff', 'missing.csv', '--object', 'account'], 'missing.csv'],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const noToken = await runCli(['diff', 'fixtures/accounts.csv', '--object', 'account'], { env: { VITALLY_BASE_URL: sb.url } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('No REST API token');
    expect(sb.requests).toEqual([]);
  });
});
