import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

describe('sandbox lists and catalogues', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox({
      admins: [{ email: 'Boss@Example.com', name: 'Boss' }, { email: 'csm@example.com' }],
      customFields: [
        { model: 'accounts', label: 'Tier', path: 'vitally.custom.tier', type: 'picklist', options: ['gold', 'silver'] },
        { model: 'user', label: 'Role', path: 'vitally.custom.role', type: 'string', createdAt: '2024-01-01T00:00:00.000Z' },
      ],
    });
  });
  afterAll(() => sb.close());

  it('pages with limit and an opaque base64 next cursor, newest first', async () => {
    for (let i = 0; i < 5; i++) await account(sb, `p${i}`);
    const seen: string[] = [];
    let from: string | null = null;
    let pages = 0;
    do {
      const q: string = from === null ? '' : `&from=${encodeURIComponent(from)}`;
      const page = await rest(sb, 'GET', `/resources/accounts?limit=2&sortBy=createdAt${q}`);
      expect(page.status).toBe(200);
      seen.push(...page.json.results.map((a: { externalId: string }) => a.externalId));
      from = page.json.next;
      if (from !== null) expect(Buffer.from(from, 'base64').toString('base64')).toBe(from);
      pages += 1;
    } while (from !== null);
    expect(pages).toBe(3);
    expect(seen).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
    expect((await rest(sb, 'GET', '/resources/accounts?limit=101')).status).toBe(400);
    expect((await rest(sb, 'GET', '/resources/accounts?limit=0')).status).toBe(400);
    expect((await rest(sb, 'GET', '/resources/accounts?from=garbage')).status).toBe(400);
  });

  it('orders by updatedAt by default', async () => {
    await rest(sb, 'PUT', '/resources/accounts/p0', { name: 'touched' });
    const page = await rest(sb, 'GET', '/resources/accounts?limit=1');
    expect(page.json.results[0].externalId).toBe('p0');
  });

  it('hides churned accounts unless status asks for them', async () => {
    await account(sb, 'churned', { traits: { churnedAt: '2024-01-01T00:00:00Z' } });
    const ids = async (q: string) => (await rest(sb, 'GET', `/resources/accounts${q}`)).json.results.map((a: { externalId: string }) => a.externalId);
    expect(await ids('')).not.toContain('churned');
    expect(await ids('?status=churned')).toEqual(['churned']);
    expect(await ids('?status=activeOrChurned')).toContain('churned');
  });

  it("lists an account's users, notes and tasks by account id or externalId", async () => {
    const a = await account(sb, 'parent');
    const other = await account(sb, 'other');
    await user(sb, 'pu1', { accountIds: [a.id] });
    await user(sb, 'pu2', { accountIds: [other.id] });
    await rest(sb, 'POST', '/resources/notes', { accountId: a.id, note: 'n', noteDate: '2024-01-01T00:00:00Z' });
    await rest(sb, 'POST', '/resources/tasks', { accountId: other.id, name: 't' });
    const users = await rest(sb, 'GET', '/resources/accounts/parent/users');
    expect(users.json.results.map((u: { externalId: string }) => u.externalId)).toEqual(['pu1']);
    expect((await rest(sb, 'GET', `/resources/accounts/${a.id}/notes`)).json.results).toHaveLength(1);
    expect((await rest(sb, 'GET', '/resources/accounts/parent/tasks')).json).toEqual({ results: [], next: null });
    expect((await rest(sb, 'GET', '/resources/accounts/nobody/users')).status).toBe(404);
    expect((await rest(sb, 'GET', '/resources/accounts/parent/widgets')).status).toBe(404);
  });

  it('lists and searches admins by email, case-insensitively', async () => {
    const list = await rest(sb, 'GET', '/resources/admins');
    expect(list.json.results).toHaveLength(2);
    expect(list.json.next).toBeNull();
    const found = await rest(sb, 'GET', '/resources/admins/search?email=boss%40example.com');
    expect(found.json.results).toEqual([expect.objectContaining({ email: 'Boss@Example.com', name: 'Boss' })]);
    expect(found.json.results[0].id).toBe(sb.store.admins[0]?.id);
    expect((await rest(sb, 'GET', '/resources/admins/search')).status).toBe(400);
  });

  it('serves custom fields filtered by model as a bare array', async () => {
    const accounts = await rest(sb, 'GET', '/resources/customFields?model=accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.json).toEqual([
      { label: 'Tier', path: 'vitally.custom.tier', type: 'picklist', options: ['gold', 'silver'], createdAt: expect.any(String) },
    ]);
    const users = await rest(sb, 'GET', '/resources/customFields?model=users');
    expect(users.json).toEqual([{ label: 'Role', path: 'vitally.custom.role', type: 'string', createdAt: '2024-01-01T00:00:00.000Z' }]);
    expect((await rest(sb, 'GET', '/resources/customFields?model=tasks')).json).toEqual([]);
    expect((await rest(sb, 'GET', '/resources/customFields')).status).toBe(400);
    expect((await rest(sb, 'GET', '/resources/customFields?model=widgets')).status).toBe(400);
  });
});
