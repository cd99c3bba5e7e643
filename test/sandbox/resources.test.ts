import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('sandbox accounts', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox();
  });
  afterAll(() => sb.close());

  it('creates, gets by externalId and by id', async () => {
    const created = await rest(sb, 'POST', '/resources/accounts', { externalId: 'acme 1', name: 'Acme', traits: { mrr: 10, gone: null } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ externalId: 'acme 1', name: 'Acme', organizationId: null, traits: { mrr: 10 } });
    expect(created.json.traits).not.toHaveProperty('gone');
    expect(created.json.id).toMatch(UUID);
    expect(created.json.createdAt).toMatch(ISO_MS);
    const byExt = await rest(sb, 'GET', `/resources/accounts/${encodeURIComponent('acme 1')}`);
    expect(byExt.status).toBe(200);
    expect(byExt.json.id).toBe(created.json.id);
    const byId = await rest(sb, 'GET', `/resources/accounts/${created.json.id}`);
    expect(byId.json.externalId).toBe('acme 1');
  });

  it('PUT merges: given fields replace, traits merge key by key, null removes a trait', async () => {
    await rest(sb, 'POST', '/resources/accounts', { externalId: 'm1', name: 'Old', traits: { a: 1, b: 2, c: 3 } });
    const put = await rest(sb, 'PUT', '/resources/accounts/m1', { name: 'New', traits: { b: 20, c: null, d: 4 } });
    expect(put.status).toBe(200);
    expect(put.json.name).toBe('New');
    expect(put.json.traits).toEqual({ a: 1, b: 20, d: 4 });
    expect(sb.store.get('accounts', 'm1')?.traits).toEqual({ a: 1, b: 20, d: 4 });
    expect(put.json.updatedAt >= put.json.createdAt).toBe(true);
  });

  it('answers 404 for unknown ids on GET, PUT and DELETE', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const res = await rest(sb, method, '/resources/accounts/missing', method === 'PUT' ? { name: 'x' } : undefined);
      expect(res.status).toBe(404);
      expect(res.json.error).toMatch(/not found$/);
    }
    expect(sb.store.get('accounts', 'missing')).toBeUndefined();
  });

  it('rejects unknown, read-only and mistyped fields by name', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ externalId: 'v1', name: 'A', nmae: 'typo' }, /Unknown field: nmae/],
      [{ externalId: 'v1', name: 'A', id: 'x' }, /^id is read-only/],
      [{ externalId: 'v1', name: 'A', healthScore: 3 }, /healthScore is read-only/],
      [{ externalId: 'v1', name: 42 }, /^name must be a string/],
      [{ externalId: 'v1', name: 'A', traits: [1] }, /^traits must be an object/],
      [{ externalId: '', name: 'A' }, /^externalId must be a non-empty string/],
      [{ name: 'A' }, /^externalId is required/],
      [{ externalId: 'v1' }, /^name is required/],
      [{ externalId: 'v1', name: 'A', accountOwnerId: 'someone' }, /accountOwnerId can only be set to null/],
      [{ externalId: 'v1', name: 'A', organizationId: 'nope' }, /Unknown organization id: nope/],
    ];
    for (const [body, message] of cases) {
      const res = await rest(sb, 'POST', '/resources/accounts', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(message);
    }
    expect(sb.store.get('accounts', 'v1')).toBeUndefined();
  });

  it('rejects bodies that are not JSON objects, wrong methods, unknown paths and huge bodies', async () => {
    const notJson = await rest(sb, 'POST', '/resources/accounts', undefined, { raw: '{nope' });
    expect(notJson.status).toBe(400);
    expect(notJson.json).toEqual({ error: 'Body must be a JSON object' });
    expect((await rest(sb, 'POST', '/resources/accounts', [1])).json).toEqual({ error: 'Body must be a JSON object' });
    const noType = await rest(sb, 'POST', '/resources/accounts', undefined, { raw: '{}', headers: { 'content-type': 'text/plain' } });
    expect(noType.status).toBe(415);
    const wrongMethod = await rest(sb, 'PATCH', '/resources/accounts/x', { name: 'x' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, PUT, DELETE');
    expect((await rest(sb, 'GET', '/resources/widgets')).status).toBe(404);
    expect((await rest(sb, 'GET', '/elsewhere', undefined, { auth: null })).status).toBe(404);
    const huge = await rest(sb, 'POST', '/resources/accounts', { externalId: 'big', name: 'x'.repeat(1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(sb.store.get('accounts', 'big')).toBeUndefined();
  });

  it('links an organization by Vitally id or externalId, and null removes the link', async () => {
    const org = await rest(sb, 'POST', '/resources/organizations', { externalId: 'org-1', name: 'Org' });
    const a = await account(sb, 'linked', { organizationId: 'org-1' });
    expect(a.organizationId).toBe(org.json.id);
    const unlinked = await rest(sb, 'PUT', '/resources/accounts/linked', { organizationId: null });
    expect(unlinked.json.organizationId).toBeNull();
    const relinked = await rest(sb, 'PUT', '/resources/accounts/linked', { organizationId: org.json.id });
    expect(relinked.json.organizationId).toBe(org.json.id);
  });

  it('lets PUT repeat the externalId but never change it', async () => {
    await account(sb, 'fixed');
    expect((await rest(sb, 'PUT', '/resources/accounts/fixed', { externalId: 'fixed', name: 'Same' })).status).toBe(200);
    const changed = await rest(sb, 'PUT', '/resources/accounts/fixed', { externalId: 'other' });
    expect(changed.status).toBe(400);
    expect(changed.json.error).toMatch(/externalId cannot be changed/);
  });

  it('POST with an existing externalId updates it by default (one record)', async () => {
    await rest(sb, 'POST', '/resources/accounts', { externalId: 'twice', name: 'One', traits: { a: 1 } });
    const again = await rest(sb, 'POST', '/resources/accounts', { externalId: 'twice', name: 'Two', traits: { b: 2 } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ name: 'Two', traits: { a: 1, b: 2 } });
    expect(sb.store.all('accounts').filter((r) => r.externalId === 'twice')).toHaveLength(1);
  });

  it('DELETE is permanent and removes users left without an account', async () => {
    const a = await account(sb, 'doomed');
    const b = await account(sb, 'survivor');
    const only = await user(sb, 'only-doomed', { accountIds: [a.id] });
    const both = await user(sb, 'both', { accountIds: [a.id, b.id] });
    const del = await rest(sb, 'DELETE', '/resources/accounts/doomed');
    expect(del.status).toBe(200);
    expect((await rest(sb, 'GET', '/resources/accounts/doomed')).status).toBe(404);
    expect(sb.store.get('users', only.id)).toBeUndefined();
    expect(sb.store.get('users', both.id)?.accountIds).toEqual([b.id]);
  });
});

describe('sandbox organizations', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox();
  });
  afterAll(() => sb.close());

  it('creates, gets by externalId, merges traits on PUT and deletes', async () => {
    const created = await rest(sb, 'POST', '/resources/organizations', { externalId: 'o1', name: 'O', traits: { tier: 'gold', x: 1 } });
    expect(created.status).toBe(200);
    const put = await rest(sb, 'PUT', '/resources/organizations/o1', { traits: { x: null, y: 2 } });
    expect(put.json).toMatchObject({ name: 'O', traits: { tier: 'gold', y: 2 } });
    expect(put.json.traits).not.toHaveProperty('x');
    expect((await rest(sb, 'PUT', '/resources/organizations/o1', { organizationOwnerId: 'x' })).json.error).toMatch(/read-only/);
    expect((await rest(sb, 'DELETE', `/resources/organizations/${created.json.id}`)).status).toBe(200);
    expect((await rest(sb, 'GET', '/resources/organizations/o1')).status).toBe(404);
  });
});

describe('sandbox users', () => {
  let sb: Sandbox;
  let acc: { id: string };
  let acc2: { id: string };
  beforeAll(async () => {
    sb = await createSandbox();
    acc = await account(sb, 'u-acc');
    acc2 = await account(sb, 'u-acc2');
  });
  afterAll(() => sb.close());

  it('creates a user linked by Vitally account id and reads it by externalId', async () => {
    const created = await rest(sb, 'POST', '/resources/users', {
      externalId: 'u1',
      name: 'Ann',
      email: 'Ann@Example.com',
      accountIds: [acc.id],
      joinDate: '2024-01-02',
      unsubscribedFromConversations: true,
      traits: { plan: 'pro' },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ externalId: 'u1', accountIds: [acc.id], organizationIds: [], joinDate: '2024-01-02' });
    expect((await rest(sb, 'GET', '/resources/users/u1')).json.id).toBe(created.json.id);
  });

  it('rejects an unknown account id (an externalId is not an id) and a user with no link', async () => {
    const byExt = await rest(sb, 'POST', '/resources/users', { externalId: 'u2', accountIds: ['u-acc'] });
    expect(byExt.status).toBe(400);
    expect(byExt.json).toEqual({ error: 'Unknown account id: u-acc' });
    const none = await rest(sb, 'POST', '/resources/users', { externalId: 'u2', accountIds: [] });
    expect(none.status).toBe(400);
    expect(none.json.error).toMatch(/accountIds or organizationIds is required/);
    const badDate = await rest(sb, 'POST', '/resources/users', { externalId: 'u2', accountIds: [acc.id], joinDate: '2024-02-30' });
    expect(badDate.json.error).toMatch(/^joinDate must be an ISO 8601 date/);
    expect(sb.store.get('users', 'u2')).toBeUndefined();
  });

  it('PUT replaces accountIds and merges traits', async () => {
    await user(sb, 'u3', { accountIds: [acc.id], traits: { a: 1, b: 2 } });
    const put = await rest(sb, 'PUT', '/resources/users/u3', { accountIds: [acc2.id], traits: { a: null }, email: null });
    expect(put.status).toBe(200);
    expect(put.json.accountIds).toEqual([acc2.id]);
    expect(put.json.traits).toEqual({ b: 2 });
  });

  it('searches by email (case-insensitive) or externalId, exactly one', async () => {
    const byEmail = await rest(sb, 'GET', `/resources/users/search?email=${encodeURIComponent('ann@EXAMPLE.com')}`);
    expect(byEmail.status).toBe(200);
    expect(byEmail.json.results.map((u: { externalId: string }) => u.externalId)).toEqual(['u1']);
    const byExt = await rest(sb, 'GET', '/resources/users/search?externalId=u3');
    expect(byExt.json.results).toHaveLength(1);
    expect((await rest(sb, 'GET', '/resources/users/search?externalId=none')).json).toEqual({ results: [] });
    expect((await rest(sb, 'GET', '/resources/users/search')).status).toBe(400);
    expect((await rest(sb, 'GET', '/resources/users/search?email=a&externalId=b')).status).toBe(400);
  });

  it('answers 404 on GET/PUT/DELETE of an unknown user and deletes a known one', async () => {
    expect((await rest(sb, 'GET', '/resources/users/ghost')).status).toBe(404);
    expect((await rest(sb, 'PUT', '/resources/users/ghost', { name: 'x' })).status).toBe(404);
    expect((await rest(sb, 'DELETE', '/resources/users/u3')).status).toBe(200);
    expect(sb.store.get('users', 'u3')).toBeUndefined();
  });
});
