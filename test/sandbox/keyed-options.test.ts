import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

describe('sandbox options for unconfirmed keyed-record behaviour', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it("accountRename 'refuse' (live): a PUT naming name is 400 naming name and changes nothing; create takes it", async () => {
    sb = await createSandbox({ profile: 'live' });
    const created = await rest(sb, 'POST', '/resources/accounts', { externalId: 'r1', name: 'Original', traits: { a: 1 } });
    expect(created.json.name).toBe('Original');
    const renamed = await rest(sb, 'PUT', '/resources/accounts/r1', { name: 'Renamed', traits: { a: 2 } });
    expect(renamed.status).toBe(400);
    expect(renamed.json.error).toMatch(/^name is not editable/);
    expect(sb.store.get('accounts', 'r1')).toMatchObject({ name: 'Original', traits: { a: 1 } });
    // The same PUT without name goes through; organizations keep their renames.
    expect((await rest(sb, 'PUT', '/resources/accounts/r1', { traits: { a: 2 } })).status).toBe(200);
    await rest(sb, 'POST', '/resources/organizations', { externalId: 'o1', name: 'Org' });
    expect((await rest(sb, 'PUT', '/resources/organizations/o1', { name: 'Org 2' })).json.name).toBe('Org 2');
    // A POST repeating the externalId updates the account's traits but not its name.
    const again = await rest(sb, 'POST', '/resources/accounts', { externalId: 'r1', name: 'Via POST', traits: { b: 3 } });
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ id: created.json.id, name: 'Original', traits: { a: 2, b: 3 } });
  });

  it("accountRename 'accept' (docs) renames on PUT", async () => {
    sb = await createSandbox({ profile: 'live', accountRename: 'accept' });
    await account(sb, 'r2', { name: 'Before' });
    expect((await rest(sb, 'PUT', '/resources/accounts/r2', { name: 'After' })).json.name).toBe('After');
  });

  it("postExisting 'update' (both profiles): a POST repeating an externalId updates that account, organization or user", async () => {
    sb = await createSandbox({ profile: 'live' });
    const a = await account(sb, 'p1', { traits: { x: 1 } });
    const a2 = await account(sb, 'p2');
    const org = await rest(sb, 'POST', '/resources/organizations', { externalId: 'po', name: 'Org', traits: { x: 1 } });
    const orgAgain = await rest(sb, 'POST', '/resources/organizations', { externalId: 'po', name: 'Org renamed', traits: { y: 2 } });
    expect(orgAgain.json).toMatchObject({ id: org.json.id, name: 'Org renamed', traits: { x: 1, y: 2 } });
    const accAgain = await rest(sb, 'POST', '/resources/accounts', { externalId: 'p1', name: 'A', traits: { y: 2 } });
    expect(accAgain.json).toMatchObject({ id: a.id, traits: { x: 1, y: 2 } });
    const u = await user(sb, 'pu', { accountIds: [a.id], email: 'old@x.io' });
    const uAgain = await rest(sb, 'POST', '/resources/users', { externalId: 'pu', accountIds: [a2.id], email: 'new@x.io' });
    expect(uAgain.json).toMatchObject({ id: u.id, email: 'new@x.io' });
    expect(uAgain.json.accounts.map((x: { id: string }) => x.id)).toEqual([a2.id]);
    expect(sb.store.all('accounts')).toHaveLength(2);
    expect(sb.store.all('organizations')).toHaveLength(1);
    expect(sb.store.all('users')).toHaveLength(1);
  });

  it("postExisting 'duplicate': a second record with the same externalId; the path's externalId finds the first", async () => {
    sb = await createSandbox({ postExisting: 'duplicate' });
    const first = await account(sb, 'dup', { name: 'First' });
    const second = await account(sb, 'dup', { name: 'Second' });
    expect(second.id).not.toBe(first.id);
    expect(second.externalId).toBe('dup');
    expect(sb.store.all('accounts').map((r) => r.name)).toEqual(['First', 'Second']);
    expect((await rest(sb, 'GET', '/resources/accounts/dup')).json.id).toBe(first.id);
    expect((await rest(sb, 'GET', `/resources/accounts/${second.id}`)).json.name).toBe('Second');
    // Once the first is deleted, the externalId finds the duplicate.
    await rest(sb, 'DELETE', '/resources/accounts/dup');
    expect((await rest(sb, 'GET', '/resources/accounts/dup')).json.id).toBe(second.id);
  });

  it("postExisting 'conflict' answers 409 for users too", async () => {
    sb = await createSandbox({ profile: 'live', postExisting: 'conflict' });
    const a = await account(sb, 'ca');
    await user(sb, 'cu', { accountIds: [a.id] });
    const again = await rest(sb, 'POST', '/resources/users', { externalId: 'cu', accountIds: [a.id] });
    expect(again.status).toBe(409);
    expect(again.json.error).toBe('User with externalId "cu" already exists');
  });

  it("userLinks 'replace' (both profiles): a user PUT's accountIds become the user's whole list", async () => {
    sb = await createSandbox({ profile: 'live' });
    const [a, b, c] = [await account(sb, 'la'), await account(sb, 'lb'), await account(sb, 'lc')];
    await user(sb, 'lu', { accountIds: [a.id, b.id] });
    const put = await rest(sb, 'PUT', '/resources/users/lu', { accountIds: [c.id] });
    expect(put.json.accounts.map((x: { id: string }) => x.id)).toEqual([c.id]);
    expect(sb.store.get('users', 'lu')?.accountIds).toEqual([c.id]);
  });

  it("userLinks 'merge': a user PUT's accountIds are added to the user's links", async () => {
    sb = await createSandbox({ userLinks: 'merge' });
    const [a, b, c] = [await account(sb, 'ma'), await account(sb, 'mb'), await account(sb, 'mc')];
    await user(sb, 'mu', { accountIds: [a.id, b.id] });
    const put = await rest(sb, 'PUT', '/resources/users/mu', { accountIds: [c.id, a.id] });
    expect(put.json.accountIds).toEqual([a.id, b.id, c.id]);
  });

  it("putUnknown 'create' works in the live profile too, and '404' is both profiles' default", async () => {
    sb = await createSandbox({ profile: 'live' });
    expect((await rest(sb, 'PUT', '/resources/accounts/nobody', { traits: {} })).status).toBe(404);
    sb.options.putUnknown = 'create';
    const created = await rest(sb, 'PUT', '/resources/accounts/somebody', { name: 'Some', traits: { mrr: 3 } });
    expect(created.json).toMatchObject({ externalId: 'somebody', name: 'Some', mrr: 3 });
  });

  it('organizations false: every organization path answers 403 saying organizations are not enabled', async () => {
    sb = await createSandbox({ profile: 'live', organizations: false });
    for (const [method, path, body] of [
      ['GET', '/resources/organizations', undefined],
      ['POST', '/resources/organizations', { externalId: 'o', name: 'O' }],
      ['GET', '/resources/organizations/o', undefined],
      ['PUT', '/resources/organizations/o', { name: 'O' }],
      ['GET', '/resources/organizations/o/accounts', undefined],
    ] as const) {
      const res = await rest(sb, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toEqual({ error: 'Organizations are not enabled for this workspace' });
    }
    expect(sb.store.all('organizations')).toHaveLength(0);
    // Everything else works: a token refused everywhere would be a 401.
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200);
  });
});
