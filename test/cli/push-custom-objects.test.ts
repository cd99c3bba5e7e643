import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CustomObjectOptions, Profile, Sandbox } from '../../src/sandbox/index.js';
import { pushFixtures, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

const DEFINITIONS = JSON.parse(readFileSync('fixtures/custom-objects.json', 'utf8')) as CustomObjectOptions[];
const CO_ID = DEFINITIONS[0]!.id!;
const INSTANCES = `/resources/customObjects/${CO_ID}/instances`;

describe.each<Profile>(['docs', 'live'])('custom object instances (sandbox profile %s)', (profile) => {
  let sb: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  useSandbox((c) => ({ sb, dir, env } = c), { profile, customObjects: [...DEFINITIONS, { name: 'contract', label: 'Contract' }] });
  beforeEach(async () => {
    await pushFixtures(env, ['account']);
    sb.requests.length = 0;
  });

  const accountId = (ext: string) => sb.store.get('accounts', ext)!.id as string;
  const said = () => sb.requests.map((r) => `${r.method} ${r.path}`);
  // The definitions' list: one request, or two in the live profile (its last page leads to an empty one).
  const LIST = /^GET \/resources\/customObjects(\?from=[^&]+)?$/;
  const definitionReads = () => said().filter((s) => LIST.test(s));
  const beyond = () => said().filter((s) => !LIST.test(s));
  const instances = () => sb.store.all('customObjectInstances');

  it('upserts instances found by their search: POST when none, then PUT by instance id; traits typed by the fields', async () => {
    const r = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.status, x.action])).toEqual([
      ['sub-1001', 'ok', 'created'],
      ['sub-1002', 'ok', 'created'],
    ]);
    expect(said()).toEqual(
      expect.arrayContaining([
        'GET /resources/customObjects',
        `GET ${INSTANCES}/search?externalId=sub-1001`,
        `GET ${INSTANCES}/search?externalId=sub-1002`,
        `POST ${INSTANCES}`,
      ]),
    );
    const created = sb.requests.filter((q) => q.method === 'POST').map((q) => JSON.parse(q.body));
    expect(created.find((b) => b.externalId === 'sub-1001')).toEqual({
      externalId: 'sub-1001',
      name: 'Acme Enterprise',
      customerId: accountId('acme'),
      // A number, the picklist option in Vitally's spelling, a date: as the custom object's fields say.
      traits: { 'vitally.custom.seats': 250, 'vitally.custom.plan': 'Enterprise', 'vitally.custom.renewsOn': '2026-12-31' },
    });

    sb.requests.length = 0;
    const file = writeTemp(dir, 'more-seats.csv', 'externalId,vitally.custom.seats\nsub-1001,300\n');
    const again = await runCli(['push', file, '--object', 'custom:subscription', '--json'], { env });
    const id = rows(r)[0]!.id as string;
    expect(rows(again)[0]).toMatchObject({ status: 'ok', action: 'updated', id });
    expect(definitionReads()).toHaveLength(profile === 'live' ? 2 : 1);
    expect(beyond()).toEqual([`GET ${INSTANCES}/search?externalId=sub-1001`, `PUT ${INSTANCES}/${id}`]);
    expect(instances()).toHaveLength(2);
    expect(instances().find((i) => i.id === id)!.traits).toMatchObject({ 'vitally.custom.seats': 300, 'vitally.custom.plan': 'Enterprise' });
  });

  it('a re-run creates nothing twice: skipped with the state store; found and updated without it', async () => {
    const state = join(dir, `custom-${profile}.db`);
    await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--state', state], { env });
    sb.requests.length = 0;
    const again = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--json', '--state', state], { env });
    expect(rows(again).map((x) => x.action)).toEqual(['unchanged', 'unchanged']);
    // Only the definition is read.
    expect(beyond()).toEqual([]);
    const full = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--json', '--state', state, '--full'], { env });
    expect(rows(full).map((x) => x.action)).toEqual(['updated', 'updated']);
    expect(sb.requests.filter((q) => q.method === 'POST')).toHaveLength(0);
    expect(instances()).toHaveLength(2);
  });

  it('an unknown custom object exits 2 naming those Vitally has, before any row is sent', async () => {
    const r = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscriptoin'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--object custom:subscriptoin: Vitally has no custom object named "subscriptoin": it has custom:subscription, custom:contract');
    expect(definitionReads().length).toBeGreaterThan(0);
    expect(beyond()).toEqual([]);
    expect(r.stdout).toBe('');
  });

  it('custom:<id> names the same custom object; update mode never creates', async () => {
    const file = writeTemp(dir, 'update.csv', 'externalId,name\nsub-9,Nine\n');
    const r = await runCli(['push', file, '--object', `custom:${CO_ID}`, '--mode', 'update', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({
      status: 'failed',
      action: 'not_found',
      error: 'no subscription instance with externalId "sub-9" in Vitally (update mode never creates)',
    });
    expect(sb.requests.filter((q) => q.method !== 'GET')).toHaveLength(0);
  });

  it('a row without a name can update an instance but not create one; an unknown account fails its row', async () => {
    const file = writeTemp(dir, 'partial.csv', 'externalId,accountExternalId\nsub-new,acme\nsub-lost,nope\n');
    const r = await runCli(['push', file, '--object', 'custom:subscription', '--json'], { env });
    expect(rows(r).map((x) => [x.status, x.error])).toEqual([
      ['failed', 'name: required to create a subscription instance'],
      ['failed', 'accountExternalId "nope": no account with this externalId in Vitally'],
    ]);
    expect(instances()).toHaveLength(0);
  });

  it('--via analytics sends customobjectinstance messages keyed by your ids, in one batch', async () => {
    const r = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--via', 'analytics', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.action)).toEqual(['accepted', 'accepted']);
    const batches = sb.requests.filter((q) => q.path === '/analytics/v1/batch');
    expect(batches).toHaveLength(1);
    const messages = JSON.parse(batches[0]!.body) as Array<Record<string, unknown>>;
    expect(messages.map(({ messageId: _id, ...m }) => m)).toEqual([
      {
        type: 'customobjectinstance',
        customObjectId: CO_ID,
        externalId: 'sub-1001',
        name: 'Acme Enterprise',
        accountId: 'acme',
        traits: { 'vitally.custom.seats': 250, 'vitally.custom.plan': 'Enterprise', 'vitally.custom.renewsOn': '2026-12-31' },
      },
      {
        type: 'customobjectinstance',
        customObjectId: CO_ID,
        externalId: 'sub-1002',
        name: 'Globex Growth',
        accountId: 'globex',
        traits: { 'vitally.custom.seats': 40, 'vitally.custom.plan': 'Growth', 'vitally.custom.renewsOn': '2027-03-01' },
      },
    ]);
    await sb.settled();
    expect(
      instances()
        .map((i) => [i.externalId, i.customerId])
        .sort(),
    ).toEqual([
      ['sub-1001', accountId('acme')],
      ['sub-1002', accountId('globex')],
    ]);
  });

  it("init proposes a mapping to the custom object's fields and writes the sync under its name; an unknown one exits 2", async () => {
    const file = writeTemp(dir, 'export-subs.csv', 'subscription_id,title,account_id,Seats,Plan,renews_on\ns-1,Acme,acme,10,growth,2027-01-01\n');
    const config = join(dir, `config-${profile}.json`);
    const r = await runCli(['init', file, '--object', 'custom:subscription', '--name', 'subs', '--config', config, '--no-state', '--force', '--json'], { env });
    expect(r.code).toBe(0);
    const sync = JSON.parse(readFileSync(config, 'utf8')).syncs.subs;
    expect(sync).toMatchObject({
      object: 'custom:subscription',
      mode: 'upsert',
      map: {
        subscription_id: 'externalId',
        title: 'name',
        account_id: 'accountExternalId',
        Seats: 'traits.vitally.custom.seats:number',
        Plan: 'traits.vitally.custom.plan',
        renews_on: 'traits.vitally.custom.renewsOn:date',
      },
    });
    const unknown = await runCli(['init', file, '--object', 'custom:nope', '--config', config, '--no-state'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Vitally has no custom object named "nope"');
  });

  it('fields lists the custom object fields; a dry run reads the definition, and without a token shows a placeholder', async () => {
    const f = await runCli(['fields', '--object', 'custom:subscription', '--no-state'], { env });
    expect(f.code).toBe(0);
    expect(f.stdout.split('\n')[0]).toBe('3 custom:subscription traits in Vitally (from /resources/customObjects):');
    expect(f.stdout).toMatch(/Plan\s+vitally\.custom\.plan\s+picklist\s+one of its options\s+Starter, Growth, Enterprise/);

    const dry = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--dry-run', '--json'], { env });
    expect(rows(dry)[0]!.requests.map((q: { method: string; path: string }) => `${q.method} ${q.path}`)).toEqual([
      `GET ${INSTANCES}/search?externalId=sub-1001`,
      `PUT ${INSTANCES}/{{id}}`,
      `POST ${INSTANCES}`,
    ]);
    expect(beyond()).toEqual([]);

    const blind = await runCli(['push', 'fixtures/subscriptions.csv', '--object', 'custom:subscription', '--dry-run', '--json'], { env: {} });
    expect(blind.code).toBe(0);
    expect(rows(blind)[0]!.requests[2].path).toBe('/resources/customObjects/{{customObject:subscription}}/instances');
    expect(summaryOf(blind).warnings).toContain(
      'custom:subscription: the custom object was not read (no REST API token): a placeholder stands for its id in the requests shown, and its traits are sent as read',
    );
  });
});
