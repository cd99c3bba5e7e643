import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const ADMIN = '00000000-0000-4000-8000-0000000000ad';
const ext = (page: { results: Array<{ externalId: string }> }) => page.results.map((r) => r.externalId);

describe('sandbox list options', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it("live: pages are {results, next}; the last page's next leads to an empty page whose next is still set", async () => {
    sb = await createSandbox({ profile: 'live' });
    for (let i = 0; i < 4; i++) await account(sb, `a${i}`);
    const first = await rest(sb, 'GET', '/resources/accounts?limit=2&sortBy=createdAt');
    expect(Object.keys(first.json).sort()).toEqual(['next', 'results']);
    expect(ext(first.json)).toEqual(['a3', 'a2']);
    const second = await rest(sb, 'GET', `/resources/accounts?limit=2&sortBy=createdAt&from=${encodeURIComponent(first.json.next)}`);
    expect(ext(second.json)).toEqual(['a1', 'a0']);
    expect(second.json.next).toEqual(expect.any(String));
    const empty = await rest(sb, 'GET', `/resources/accounts?limit=2&sortBy=createdAt&from=${encodeURIComponent(second.json.next)}`);
    expect(empty.json).toEqual({ results: [], next: second.json.next });
    // A list with nothing in it ends at once.
    expect((await rest(sb, 'GET', '/resources/notes')).json).toEqual({ results: [], next: null });
  });

  it("docs: the last page's next is null", async () => {
    sb = await createSandbox();
    await account(sb, 'only');
    expect((await rest(sb, 'GET', '/resources/accounts?limit=1')).json.next).toBeNull();
  });

  it('live: accounts lists leave churned accounts out unless status asks; limit stays at most 100; sortBy as documented', async () => {
    sb = await createSandbox({ profile: 'live' });
    await account(sb, 'active');
    await account(sb, 'gone', { traits: { churnedAt: '2026-01-01T00:00:00Z' } });
    expect(ext((await rest(sb, 'GET', '/resources/accounts')).json)).toEqual(['active']);
    expect(ext((await rest(sb, 'GET', '/resources/accounts?status=churned')).json)).toEqual(['gone']);
    expect(ext((await rest(sb, 'GET', '/resources/accounts?status=activeOrChurned&sortBy=createdAt')).json)).toEqual(['gone', 'active']);
    await rest(sb, 'PUT', '/resources/accounts/active', { traits: { x: 1 } });
    expect(ext((await rest(sb, 'GET', '/resources/accounts?status=activeOrChurned&sortBy=updatedAt')).json)).toEqual(['active', 'gone']);
    expect((await rest(sb, 'GET', '/resources/accounts?limit=101')).status).toBe(400);
    expect((await rest(sb, 'GET', '/resources/accounts?sortBy=name')).status).toBe(400);
  });

  it('live: conversation lists carry atEnd, true on the page after which nothing follows', async () => {
    sb = await createSandbox({ profile: 'live', admins: [{ id: ADMIN, email: 'csm@example.com' }] });
    const a = await account(sb, 'ca');
    const u = await user(sb, 'cu', { accountIds: [a.id] });
    for (const id of ['c1', 'c2', 'c3']) {
      await rest(sb, 'POST', '/resources/conversations', {
        externalId: id,
        messages: [{ externalId: `${id}-m`, message: 'hi', from: { type: 'user', id: u.id }, to: [{ type: 'admin', id: ADMIN }] }],
      });
    }
    const first = await rest(sb, 'GET', '/resources/conversations?limit=2');
    expect(first.json).toMatchObject({ atEnd: false, next: expect.any(String) });
    const second = await rest(sb, 'GET', `/resources/conversations?limit=2&from=${encodeURIComponent(first.json.next)}`);
    expect(second.json).toMatchObject({ atEnd: true, next: expect.any(String) });
    expect(second.json.results).toHaveLength(1);
    expect((await rest(sb, 'GET', '/resources/accounts/ca/conversations')).json.atEnd).toBe(true);
    expect((await rest(sb, 'GET', '/resources/accounts')).json).not.toHaveProperty('atEnd');
    sb.options.conversationAtEnd = false;
    expect((await rest(sb, 'GET', '/resources/conversations')).json).not.toHaveProperty('atEnd');
  });

  it('listEnd empty-page applies to admin lists and per-account lists too', async () => {
    sb = await createSandbox({ listEnd: 'empty-page', admins: [{ email: 'a@x.io' }] });
    const admins = await rest(sb, 'GET', '/resources/admins');
    expect(admins.json.results).toHaveLength(1);
    const after = await rest(sb, 'GET', `/resources/admins?from=${encodeURIComponent(admins.json.next)}`);
    expect(after.json).toEqual({ results: [], next: admins.json.next });
    const a = await account(sb, 'pa');
    await user(sb, 'pu', { accountIds: [a.id] });
    const users = await rest(sb, 'GET', '/resources/accounts/pa/users');
    expect(users.json.next).toEqual(expect.any(String));
    expect((await rest(sb, 'GET', `/resources/accounts/pa/users?from=${encodeURIComponent(users.json.next)}`)).json.results).toEqual([]);
  });
});
