/** --compare vitally: each rule of comparing rows with a listing of the workspace, against both Vitallys. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomObjectOptions, Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, pushFixtures, rowRequests, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';
import { account, user } from '../sandbox/helpers.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let n = 0;

const LIST = '/resources/accounts?limit=100&sortBy=createdAt&status=activeOrChurned';
const compare = (file: string, ...args: string[]) => runCli(['push', file, '--compare', 'vitally', '--json', '--types', 'as-read', ...args], { env });
const reads = () => rowRequests(sb).filter((q) => q.method === 'GET');
const writes = () => rowRequests(sb).filter((q) => q.method !== 'GET');
const said = (qs = writes()) => qs.map((q) => `${q.method} ${q.path}`);
const csv = (text: string) => writeTemp(dir, `rows-${++n}.csv`, text);
const outcomes = (r: Awaited<ReturnType<typeof runCli>>) => rows(r).map((x) => [x.key, x.status, x.action]);

describe.each(PROFILES)('comparing rows with the workspace (%s profile)', (profile) => {
  const live = profile === 'live';
  useSandbox((c) => ({ sb, dir, env } = c), { profile });
  beforeEach(() => {
    sb.requests.length = 0;
  });

  it('lists every account once, churned ones too, 100 a page sorted by creation, until Vitally says the list ends', async () => {
    const lines = ['externalId,name'];
    for (let i = 1; i <= 205; i++) {
      await account(sb, `a-${i}`, i % 50 === 0 ? { traits: { churnedAt: '2026-01-01T00:00:00Z' } } : {});
      lines.push(`a-${i},Account a-${i}`);
    }
    sb.requests.length = 0;
    const r = await compare(csv(lines.join('\n')), '--object', 'account');
    expect(r.code).toBe(0);
    // Every row is in Vitally as the file has it, the 4 churned accounts too: nothing to send.
    expect(rows(r).every((x) => x.status === 'skipped' && x.action === 'unchanged')).toBe(true);
    expect(writes()).toEqual([]);
    // Three pages of 100; the live Vitally answers its last page with a `next` that leads to an empty one.
    expect(reads().map((q) => q.path.replace(/&from=[^&]+$/, ''))).toEqual(Array(live ? 4 : 3).fill(LIST));
    expect(
      reads()
        .slice(1)
        .every((q) => q.path.includes('&from=')),
    ).toBe(true);
    expect(summaryOf(r)).toMatchObject({
      requests: live ? 4 : 3,
      compare: { with: 'vitally', chosen: 'given', listed: 205, listRequests: live ? 4 : 3, notInInput: 0 },
    });
  });

  it('skips a row Vitally holds as it is, updates one that differs, creates one it lacks at once (no PUT answered 404)', async () => {
    await account(sb, 'acme', { traits: { mrr: 1200, plan: 'pro' } });
    await account(sb, 'globex', { traits: { mrr: 450 } });
    sb.requests.length = 0;
    const r = await compare(
      csv('externalId,name,mrr\nacme,Account acme,1200\nglobex,Account globex,500\nhooli,Hooli,10\n'),
      '--object',
      'account',
      '--types',
      'auto',
    );
    expect(r.code).toBe(0);
    expect(outcomes(r)).toEqual([
      ['acme', 'skipped', 'unchanged'],
      ['globex', 'ok', 'updated'],
      ['hooli', 'ok', 'created'],
    ]);
    expect(said()).toEqual(['PUT /resources/accounts/globex', 'POST /resources/accounts']);
    expect(sb.store.get('accounts', 'globex')!.traits).toMatchObject({ mrr: 500 });
    // A first load costs one request a row; the listing one a page.
    expect(summaryOf(r).requests).toBe(2 + reads().length);
  });

  it("compares only the traits a row sends: other sources' traits are not the row's", async () => {
    await account(sb, 'acme', { traits: { mrr: 1200, 'hspot.owner': 'ann', 'vitally.custom.tier': 'gold' } });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,mrr\nacme,Account acme,1200\n'), '--object', 'account', '--types', 'auto');
    expect(outcomes(r)).toEqual([['acme', 'skipped', 'unchanged']]);
    expect(writes()).toEqual([]);
  });

  it('compares mrr, nextRenewalDate, churnedAt and trialEndDate where Vitally answers them, and dates by the instant', async () => {
    const traits = { mrr: 1200, nextRenewalDate: '2027-01-31', churnedAt: '2026-03-01T10:00:00Z', trialEndDate: '2026-02-01', plan: 'pro' };
    await account(sb, 'acme', { traits });
    await account(sb, 'globex', { traits });
    sb.requests.length = 0;
    // The same instants written otherwise (an offset, no milliseconds); globex renews a day later.
    const file = csv(
      'externalId,name,mrr,nextRenewalDate,churnedAt,trialEndDate,plan\n' +
        'acme,Account acme,1200,2027-01-31,2026-03-01T12:00:00+02:00,2026-02-01,pro\n' +
        'globex,Account globex,1200,2027-02-01,2026-03-01T10:00:00.000Z,2026-02-01,pro\n',
    );
    const r = await compare(file, '--object', 'account', '--types', 'auto', '--dry-run');
    expect(outcomes(r)).toEqual([
      ['acme', 'skipped', 'unchanged'],
      ['globex', 'ok', 'planned'],
    ]);
    // The live Vitally answers the four at the top level, not in traits: compared where they are.
    expect(rows(r)[1].change).toEqual({ kind: 'changed', fields: [{ field: 'traits.nextRenewalDate', old: '2027-01-31', new: '2027-02-01' }] });
    expect(sb.requests.some((q) => q.method === 'PUT')).toBe(false);
  });

  it('a date trait Vitally answers as epoch milliseconds is the date the row sends', async () => {
    await account(sb, 'acme', { traits: { signedOn: '2026-03-01', signedAt: '2026-03-01T10:00:00Z' } });
    sb.requests.length = 0;
    const same = csv('externalId,name,signedOn,signedAt\nacme,Account acme,2026-03-01,2026-03-01T11:00:00+01:00\n');
    const r = await compare(same, '--object', 'account', '--map', 'signedOn=traits.signedOn:date', '--map', 'signedAt=traits.signedAt:datetime');
    expect(outcomes(r)).toEqual([['acme', 'skipped', 'unchanged']]);
    const later = csv('externalId,name,signedOn\nacme,Account acme,2026-03-02\n');
    const changed = await compare(later, '--object', 'account', '--map', 'signedOn=traits.signedOn:date', '--dry-run');
    expect(rows(changed)[0].change.fields).toEqual([{ field: 'traits.signedOn', old: live ? Date.UTC(2026, 2, 1) : '2026-03-01', new: '2026-03-02' }]);
  });

  it('a number and the text of its digits differ: when in doubt, the row is sent', async () => {
    await account(sb, 'acme', { traits: { seats: '12' } });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,seats\nacme,Account acme,12\n'), '--object', 'account', '--map', 'seats=traits.seats:number');
    expect(outcomes(r)).toEqual([['acme', 'ok', 'updated']]);
    expect(JSON.parse(writes()[0]!.body).traits).toEqual({ seats: 12 });
  });

  it('a date whose instant Vitally holds in another form than it would answer the row is sent: epoch seconds, or text for a number', async () => {
    // Epoch seconds, which Vitally reads as milliseconds (an instant in 1970); an instant Vitally holds as text.
    await account(sb, 'acme', { traits: { signedAt: Date.UTC(2026, 2, 1, 10) / 1000 } });
    await account(sb, 'globex', { traits: { signedMs: '2026-03-01T10:00:00.000Z' } });
    sb.requests.length = 0;
    const r = await compare(
      csv(`externalId,name,signedAt,signedMs\nacme,Account acme,2026-03-01T10:00:00Z,\nglobex,Account globex,,${Date.UTC(2026, 2, 1, 10)}\n`),
      '--object',
      'account',
      '--map',
      'signedAt=traits.signedAt:datetime',
      '--map',
      'signedMs=traits.signedMs:number',
    );
    // The live Vitally answers the text as epoch milliseconds, the number the row sends: nothing tells them apart there.
    expect(outcomes(r)).toEqual([
      ['acme', 'ok', 'updated'],
      ['globex', ...(live ? ['skipped', 'unchanged'] : ['ok', 'updated'])],
    ]);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ signedAt: '2026-03-01T10:00:00.000Z' });
    if (!live) expect(sb.store.get('accounts', 'globex')!.traits).toMatchObject({ signedMs: Date.UTC(2026, 2, 1, 10) });
  });

  it('a date Vitally holds as text with a space after it is not the date the row sends: the row is sent', async () => {
    await account(sb, 'acme', { traits: { signedOn: '2026-03-01 ' } });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,signedOn\nacme,Account acme,2026-03-01\n'), '--object', 'account', '--map', 'signedOn=traits.signedOn:date');
    expect(outcomes(r)).toEqual([['acme', 'ok', 'updated']]);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ signedOn: '2026-03-01' });
  });

  it('a list trait holding the same values in another order is sent: Vitally keeps the order sent', async () => {
    await account(sb, 'acme', { traits: { regions: ['EMEA', 'APAC'] } });
    await account(sb, 'globex', { traits: { regions: ['EMEA', 'APAC'] } });
    sb.requests.length = 0;
    const r = await compare(
      csv('externalId,name,regions\nacme,Account acme,APAC;EMEA\nglobex,Account globex,EMEA;APAC\n'),
      '--object',
      'account',
      '--map',
      'regions=traits.regions:stringArray',
    );
    expect(outcomes(r)).toEqual([
      ['acme', 'ok', 'updated'],
      ['globex', 'skipped', 'unchanged'],
    ]);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ regions: ['APAC', 'EMEA'] });
  });

  it('an empty cell sent as null matches a trait Vitally lacks, and removes one it has', async () => {
    await account(sb, 'acme');
    await account(sb, 'globex', { traits: { plan: 'pro' } });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,plan\nacme,Account acme,\nglobex,Account globex,\n'), '--object', 'account', '--empty', 'null');
    expect(outcomes(r)).toEqual([
      ['acme', 'skipped', 'unchanged'],
      ['globex', 'ok', 'updated'],
    ]);
    expect(sb.store.get('accounts', 'globex')!.traits).not.toHaveProperty('plan');
  });

  it('a record to update in update mode that Vitally lacks fails as not found, without a request', async () => {
    const r = await compare(csv('externalId,name\nghost,Ghost\n'), '--object', 'account', '--mode', 'update');
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({
      status: 'failed',
      action: 'not_found',
      httpStatus: null,
      error: 'no account with externalId "ghost" in Vitally (update mode never creates)',
    });
    expect(writes()).toEqual([]);
  });

  it("a user's links follow --links: a row naming one of its accounts changes nothing (add), and everything with --links replace", async () => {
    const acme = await account(sb, 'acme');
    const globex = await account(sb, 'globex');
    await account(sb, 'initech');
    await user(sb, 'u1', { name: 'Ada', accountIds: [acme.id, globex.id] });
    sb.requests.length = 0;
    const one = csv('externalId,name,accountExternalId\nu1,Ada,acme\n');
    const add = await compare(one, '--object', 'user');
    expect(outcomes(add)).toEqual([['u1', 'skipped', 'unchanged']]);
    expect(writes()).toEqual([]);
    // The docs' Vitally answers a user's links as ids: the row's account is looked up to compare them;
    // the live one embeds the linked accounts with their externalIds, so nothing more is read.
    expect(said(reads()).filter((s) => !s.startsWith('GET /resources/users?'))).toEqual(live ? [] : ['GET /resources/accounts/acme']);

    sb.requests.length = 0;
    const replace = await compare(one, '--object', 'user', '--links', 'replace', '--dry-run');
    expect(rows(replace)[0].change).toEqual({
      kind: 'changed',
      fields: [{ field: 'accounts', old: live ? ['acme', 'globex'] : [acme.id, globex.id], new: ['acme'] }],
    });

    // A link the user lacks: sent, with the links it has (add).
    const more = await compare(csv('externalId,name,accountExternalId\nu1,Ada,initech\n'), '--object', 'user');
    expect(outcomes(more)).toEqual([['u1', 'ok', 'updated']]);
    expect((sb.store.get('users', 'u1')!.accountIds as string[]).length).toBe(3);
  });

  it("a user's links are left out of the PUT when the listing shows it has them all, so nothing else is read", async () => {
    const acme = await account(sb, 'acme');
    const globex = await account(sb, 'globex');
    await user(sb, 'u1', { name: 'Ada', accountIds: [acme.id, globex.id] });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,accountExternalId\nu1,Ada Lovelace,acme\n'), '--object', 'user');
    expect(outcomes(r)).toEqual([['u1', 'ok', 'updated']]);
    expect(said()).toEqual(['PUT /resources/users/u1']);
    expect(JSON.parse(writes()[0]!.body)).toEqual({ name: 'Ada Lovelace' });
    expect(said(reads()).filter((s) => s.startsWith('GET /resources/users/'))).toEqual([]);
    expect(sb.store.get('users', 'u1')!.accountIds).toEqual([acme.id, globex.id]);
  });

  it('a reference Vitally has no record for fails its row before anything is sent', async () => {
    const acme = await account(sb, 'acme');
    await user(sb, 'u1', { name: 'Ada', accountIds: [acme.id] });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,accountExternalId\nu1,Ada,nowhere\n'), '--object', 'user');
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({ status: 'failed', action: 'invalid', error: 'accountExternalId "nowhere": no account with this externalId in Vitally' });
    expect(writes()).toEqual([]);
  });

  it('tells the state store what Vitally holds: the next run compares with the store and sends nothing', async () => {
    await account(sb, 'acme', { traits: { mrr: 1 } });
    const state = join(dir, `state-${++n}.db`);
    const file = csv('externalId,name,mrr\nacme,Account acme,1\n');
    const first = await compare(file, '--object', 'account', '--state', state, '--types', 'auto');
    expect(outcomes(first)).toEqual([['acme', 'skipped', 'unchanged']]);
    sb.requests.length = 0;
    const again = await runCli(['push', file, '--object', 'account', '--state', state, '--json'], { env });
    expect(outcomes(again)).toEqual([['acme', 'skipped', 'unchanged']]);
    expect(summaryOf(again)).toMatchObject({ requests: 0, compare: { with: 'state', chosen: 'chosen: the state store knows these records' } });
    expect(rowRequests(sb)).toEqual([]);
  });
});

describe('a key Vitally holds twice', () => {
  useSandbox((c) => ({ sb, dir, env } = c), { postExisting: 'duplicate' });

  it('is sent, addressed by its key as without a listing: nothing tells which record is the row', async () => {
    await account(sb, 'acme');
    await account(sb, 'acme');
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name\nacme,Account acme\n'), '--object', 'account');
    expect(outcomes(r)).toEqual([['acme', 'ok', 'updated']]);
    expect(said()).toEqual(['PUT /resources/accounts/acme']);
  });
});

describe.each(PROFILES)('custom object instances (%s profile)', (profile) => {
  const DEFINITIONS = JSON.parse(readFileSync('fixtures/custom-objects.json', 'utf8')) as CustomObjectOptions[];
  const INSTANCES = `/resources/customObjects/${DEFINITIONS[0]!.id!}/instances`;
  useSandbox((c) => ({ sb, dir, env } = c), { profile, customObjects: DEFINITIONS });

  it('are listed where Vitally lists them; one that differs is updated by its id with no search, one unchanged is skipped', async () => {
    await pushFixtures(env, ['account']);
    await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription'], { env });
    const id = sb.store.all('customObjectInstances').find((r) => r.externalId === 'sub-1002')!.id;
    const file = csv(
      'externalId,name,accountExternalId,vitally.custom.seats,vitally.custom.plan,vitally.custom.renewsOn\n' +
        'sub-1001,Acme Enterprise,acme,250,enterprise,2026-12-31\n' +
        'sub-1002,Globex Growth,globex,45,Growth,2027-03-01\n',
    );
    sb.requests.length = 0;
    const r = await runCli(['push', file, '--object', 'custom:subscription', '--compare', 'vitally', '--json'], { env });
    expect(outcomes(r)).toEqual([
      ['sub-1001', 'skipped', 'unchanged'],
      ['sub-1002', 'ok', 'updated'],
    ]);
    expect(said()).toEqual([`PUT ${INSTANCES}/${id}`]);
    expect(said(reads()).filter((s) => s.includes('/instances'))).toEqual(
      Array(profile === 'live' ? 2 : 1)
        .fill(`GET ${INSTANCES}?limit=100&sortBy=createdAt`)
        .map((s, i) => (i === 0 ? s : expect.stringMatching(/&from=/))),
    );
    expect(said(reads()).some((s) => s.includes('/search'))).toBe(false);
  });

  it('one Vitally lacks is created with one POST, no search first; diff shows it as new and the changed one field by field', async () => {
    await pushFixtures(env, ['account']);
    await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription'], { env });
    const file = csv(
      'externalId,name,accountExternalId,vitally.custom.seats,vitally.custom.plan,vitally.custom.renewsOn\n' +
        'sub-1001,Acme Enterprise,acme,250,enterprise,2026-12-31\n' +
        'sub-1002,Globex Growth,globex,45,Growth,2027-03-01\n' +
        'sub-1003,Initech Starter,acme,5,starter,2027-06-30\n',
    );
    sb.requests.length = 0;
    const diff = await runCli(['diff', file, '--object', 'custom:subscription'], { env });
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('~ sub-1002 (row 2, id ');
    expect(diff.stdout).toContain('    traits.vitally.custom.seats: 40 -> 45\n');
    expect(diff.stdout).toContain('+ sub-1003 (row 3)\n');
    expect(diff.stdout).toContain('Vitally differs from the input: 1 new, 1 changed; 1 unchanged (3 rows');
    expect(writes()).toEqual([]);

    sb.requests.length = 0;
    const r = await runCli(['push', file, '--object', 'custom:subscription', '--compare', 'vitally', '--json'], { env });
    expect(outcomes(r)).toEqual([
      ['sub-1001', 'skipped', 'unchanged'],
      ['sub-1002', 'ok', 'updated'],
      ['sub-1003', 'ok', 'created'],
    ]);
    const id = sb.store.all('customObjectInstances').find((x) => x.externalId === 'sub-1002')!.id;
    // Sent concurrently: in either order.
    expect(said().sort()).toEqual([`POST ${INSTANCES}`, `PUT ${INSTANCES}/${id}`]);
    expect(said(reads()).some((s) => s.includes('/search'))).toBe(false);
    expect(sb.store.all('customObjectInstances').find((x) => x.externalId === 'sub-1003')).toMatchObject({ name: 'Initech Starter' });
  });
});

describe.each(PROFILES)('organizations (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile });

  it('are listed without a status, 100 a page by creation; a row that differs is updated, one Vitally lacks created with one POST', async () => {
    await runCli(['push', csv('externalId,name,region\nnorth,North,eu\nsouth,South,us\n'), '--object', 'organization'], { env });
    sb.requests.length = 0;
    const r = await compare(csv('externalId,name,region\nnorth,North,eu\nsouth,South,apac\neast,East,eu\n'), '--object', 'organization');
    expect(r.code).toBe(0);
    expect(outcomes(r)).toEqual([
      ['north', 'skipped', 'unchanged'],
      ['south', 'ok', 'updated'],
      ['east', 'ok', 'created'],
    ]);
    expect(said()).toEqual(['PUT /resources/organizations/south', 'POST /resources/organizations']);
    expect(said(reads())[0]).toBe('GET /resources/organizations?limit=100&sortBy=createdAt');
    expect(summaryOf(r).compare).toMatchObject({ with: 'vitally', listed: 2 });
  });
});
