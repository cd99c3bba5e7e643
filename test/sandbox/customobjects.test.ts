import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type CustomObjectOptions, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest } from './helpers.js';

const SUB = '11111111-1111-4111-8111-111111111111';
const SEATS = '22222222-2222-4222-8222-222222222222';
const OBJECTS: CustomObjectOptions[] = [
  {
    id: SUB,
    name: 'subscription',
    label: 'Subscription',
    fields: [
      { id: SEATS, label: 'Seats', path: 'vitally.custom.seats', type: 'number' },
      { label: 'Plan', path: 'vitally.custom.plan', type: 'picklist', options: ['pro', 'team'] },
    ],
  },
  { name: 'ticket' },
];
const base = `/resources/customObjects/${SUB}/instances`;

describe('sandbox custom objects', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it('docs: the definitions are a bare array; live: a {results, next} page', async () => {
    sb = await createSandbox({ customObjects: OBJECTS });
    const docs = await rest(sb, 'GET', '/resources/customObjects');
    expect(docs.json).toEqual([
      expect.objectContaining({
        id: SUB,
        name: 'subscription',
        label: 'Subscription',
        fields: expect.arrayContaining([expect.objectContaining({ id: SEATS, path: 'vitally.custom.seats' })]),
      }),
      expect.objectContaining({ id: expect.any(String), name: 'ticket', label: 'ticket', fields: [] }),
    ]);
    expect((await rest(sb, 'GET', `/resources/customObjects/${SUB}`)).json.name).toBe('subscription');
    expect((await rest(sb, 'GET', '/resources/customObjects/nope')).status).toBe(404);
    await sb.close();
    sb = await createSandbox({ profile: 'live', customObjects: OBJECTS });
    const page = await rest(sb, 'GET', '/resources/customObjects?limit=1');
    expect(page.json.results.map((d: { name: string }) => d.name)).toEqual(['subscription']);
    const rest2 = await rest(sb, 'GET', `/resources/customObjects?limit=1&from=${encodeURIComponent(page.json.next)}`);
    expect(rest2.json.results.map((d: { name: string }) => d.name)).toEqual(['ticket']);
  });

  it("serves a custom object's fields at customFields?model=customObjects (&customObjectId=)", async () => {
    sb = await createSandbox({ customObjects: OBJECTS });
    const fields = await rest(sb, 'GET', `/resources/customFields?model=customObjects&customObjectId=${SUB}`);
    expect(fields.json).toEqual([
      { id: SEATS, label: 'Seats', path: 'vitally.custom.seats', type: 'number', customObjectId: SUB, createdAt: expect.any(String) },
      {
        id: expect.any(String),
        label: 'Plan',
        path: 'vitally.custom.plan',
        type: 'picklist',
        options: ['pro', 'team'],
        customObjectId: SUB,
        createdAt: expect.any(String),
      },
    ]);
    expect((await rest(sb, 'GET', '/resources/customFields?model=customObjects')).json).toHaveLength(2);
  });

  it('creates, lists, searches and updates instances (traits merged, null removing)', async () => {
    sb = await createSandbox({ customObjects: OBJECTS });
    const acc = await account(sb, 'acme');
    const created = await rest(sb, 'POST', base, {
      name: 'Acme Pro',
      externalId: 'sub-1',
      customerId: acc.id,
      traits: { 'vitally.custom.seats': 10, 'vitally.custom.plan': 'pro' },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ name: 'Acme Pro', externalId: 'sub-1', customObjectId: SUB, customerId: acc.id, organizationId: null });
    await rest(sb, 'POST', base, { name: 'Other', externalId: 'sub-2', traits: { 'vitally.custom.seats': 3 } });
    expect((await rest(sb, 'GET', base)).json.results.map((r: { externalId: string }) => r.externalId)).toEqual(['sub-2', 'sub-1']);
    const search = async (q: string) => (await rest(sb, 'GET', `${base}/search?${q}`)).json;
    expect((await search('externalId=sub-1')).map((r: { id: string }) => r.id)).toEqual([created.json.id]);
    expect(await search(`customerId=${acc.id}`)).toHaveLength(1);
    expect(await search(`id=${created.json.id}`)).toHaveLength(1);
    expect(await search(`customFieldId=${SEATS}&customFieldValue=3`)).toEqual([expect.objectContaining({ externalId: 'sub-2' })]);
    expect(await search('externalId=none')).toEqual([]);
    expect((await rest(sb, 'GET', `${base}/search`)).status).toBe(400);
    expect((await rest(sb, 'GET', `${base}/search?externalId=a&customerId=b`)).status).toBe(400);
    const put = await rest(sb, 'PUT', `${base}/${created.json.id}`, { traits: { 'vitally.custom.seats': 12, 'vitally.custom.plan': null } });
    expect(put.json).toMatchObject({ name: 'Acme Pro', traits: { 'vitally.custom.seats': 12 } });
    expect(put.json.traits).not.toHaveProperty('vitally.custom.plan');
    // externalId is editable, and stays unique within the custom object.
    expect((await rest(sb, 'PUT', `${base}/${created.json.id}`, { externalId: 'sub-2' })).status).toBe(400);
    expect((await rest(sb, 'PUT', `${base}/${created.json.id}`, { externalId: 'sub-1b' })).json.externalId).toBe('sub-1b');
    expect(await search('externalId=sub-1b')).toHaveLength(1);
    expect(await search('externalId=sub-1')).toHaveLength(0);
    expect((await rest(sb, 'DELETE', `${base}/${created.json.id}`)).status).toBe(200);
    expect((await rest(sb, 'GET', base)).json.results).toHaveLength(1);
  });

  it('checks instance bodies: name required, customerId and organizationId are Vitally ids, unknown fields refused', async () => {
    sb = await createSandbox({ customObjects: OBJECTS });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ externalId: 'x' }, 'name is required'],
      [{ name: 'X', customerId: 'acme' }, 'Unknown account id: acme'],
      [{ name: 'X', organizationId: 'org' }, 'Unknown organization id: org'],
      [{ name: 'X', accountId: 'a' }, 'Unknown field: accountId'],
      [{ name: 'X', traits: [] }, 'traits must be an object'],
    ];
    for (const [body, error] of cases) expect((await rest(sb, 'POST', base, body)).json.error).toBe(error);
    expect((await rest(sb, 'POST', '/resources/customObjects/nope/instances', { name: 'X' })).status).toBe(404);
    expect((await rest(sb, 'PUT', `${base}/nope`, { name: 'X' })).status).toBe(404);
    // An instance is addressed through its own custom object only.
    const [ticket] = sb.options.customObjects.filter((c) => c.name === 'ticket');
    const t = await rest(sb, 'POST', `/resources/customObjects/${ticket?.id}/instances`, { name: 'T', externalId: 'sub-1' });
    expect((await rest(sb, 'PUT', `${base}/${t.json.id}`, { name: 'Y' })).status).toBe(404);
    expect((await rest(sb, 'GET', `${base}/${t.json.id}`)).status).toBe(405);
  });

  it('a POST repeating an externalId within the custom object follows postExisting', async () => {
    sb = await createSandbox({ customObjects: OBJECTS });
    const first = await rest(sb, 'POST', base, { name: 'One', externalId: 'e', traits: { a: 1 } });
    const again = await rest(sb, 'POST', base, { name: 'Two', externalId: 'e', traits: { b: 2 } });
    expect(again.json).toMatchObject({ id: first.json.id, name: 'Two', traits: { a: 1, b: 2 } });
    sb.options.postExisting = 'conflict';
    expect((await rest(sb, 'POST', base, { name: 'Three', externalId: 'e' })).status).toBe(409);
    sb.options.postExisting = 'duplicate';
    expect((await rest(sb, 'POST', base, { name: 'Four', externalId: 'e' })).json.id).not.toBe(first.json.id);
    expect(sb.store.all('customObjectInstances')).toHaveLength(2);
  });
});
