import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest } from './helpers.js';

describe('sandbox behaviour options', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it("putUnknown='create' creates from a PUT on an unknown externalId, still checking required fields", async () => {
    sb = await createSandbox({ putUnknown: 'create' });
    const created = await rest(sb, 'PUT', '/resources/accounts/fresh%2F1', { name: 'Fresh', traits: { a: 1 } });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ externalId: 'fresh/1', name: 'Fresh', traits: { a: 1 } });
    expect(sb.store.get('accounts', 'fresh/1')?.id).toBe(created.json.id);
    const missing = await rest(sb, 'PUT', '/resources/accounts/nameless', { traits: {} });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/^name is required/);
    const noLink = await rest(sb, 'PUT', '/resources/users/lonely', { name: 'L' });
    expect(noLink.status).toBe(400);
    const updated = await rest(sb, 'PUT', '/resources/accounts/fresh%2F1', { name: 'Again' });
    expect(updated.json.id).toBe(created.json.id);
    expect(sb.store.all('accounts')).toHaveLength(1);
  });

  it('putUnknown defaults to 404', async () => {
    sb = await createSandbox();
    expect((await rest(sb, 'PUT', '/resources/accounts/fresh', { name: 'Fresh' })).status).toBe(404);
    expect(sb.store.all('accounts')).toHaveLength(0);
  });

  it("postExisting='conflict' answers 409 and leaves the record alone", async () => {
    sb = await createSandbox({ postExisting: 'conflict' });
    await account(sb, 'c1', { name: 'First' });
    for (const type of ['accounts', 'organizations'] as const) {
      if (type === 'organizations') await rest(sb, 'POST', '/resources/organizations', { externalId: 'c1', name: 'First' });
      const again = await rest(sb, 'POST', `/resources/${type}`, { externalId: 'c1', name: 'Second' });
      expect(again.status).toBe(409);
      expect(again.json.error).toMatch(/already exists/);
      expect(sb.store.get(type, 'c1')?.name).toBe('First');
    }
  });

  it('recordRequests=false keeps no log but still counts', async () => {
    sb = await createSandbox({ recordRequests: false });
    await rest(sb, 'GET', '/resources/accounts');
    expect(sb.requests).toEqual([]);
    expect(sb.stats.requests).toBe(1);
    expect(sb.stats.byStatus[200]).toBe(1);
  });

  it('reset() clears records, the log and stats, and keeps admins', async () => {
    sb = await createSandbox({ admins: [{ email: 'a@x.io' }] });
    await account(sb, 'r1');
    sb.reset();
    expect(sb.store.all('accounts')).toEqual([]);
    expect(sb.requests).toEqual([]);
    expect(sb.stats.writes).toBe(0);
    expect(sb.store.admins).toHaveLength(1);
    expect((await rest(sb, 'GET', '/resources/accounts/r1')).status).toBe(404);
  });
});
