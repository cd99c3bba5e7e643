import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const ADMIN = '11111111-2222-4333-8444-555555555555';

describe('sandbox notes and tasks', () => {
  let sb: Sandbox;
  let acc: { id: string };
  beforeAll(async () => {
    sb = await createSandbox({ admins: [{ id: ADMIN, email: 'csm@example.com', name: 'Casey' }] });
    acc = await account(sb, 'n-acc');
  });
  afterAll(() => sb.close());

  it('creates a note; a second POST with the same externalId updates it (still one record)', async () => {
    const body = {
      externalId: 'n1',
      accountId: acc.id,
      note: '<p>Hi</p>',
      noteDate: '2024-03-01T10:00:00.000Z',
      authorId: ADMIN,
      tags: ['a'],
      traits: { x: 1 },
    };
    const first = await rest(sb, 'POST', '/resources/notes', body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ externalId: 'n1', accountId: acc.id, authorId: ADMIN, archivedAt: null, tags: ['a'] });
    const second = await rest(sb, 'POST', '/resources/notes', { ...body, subject: 'Again', tags: ['b'], traits: { y: 2 } });
    expect(second.status).toBe(200);
    expect(second.json.id).toBe(first.json.id);
    expect(second.json).toMatchObject({ subject: 'Again', tags: ['b'], traits: { x: 1, y: 2 } });
    expect(sb.store.all('notes')).toHaveLength(1);
  });

  it('validates notes: required fields, dates, parents and authors', async () => {
    const base = { accountId: acc.id, note: 'x', noteDate: '2024-03-01T10:00:00Z' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ ...base, note: undefined }, /^note is required/],
      [{ ...base, noteDate: '2024-03-01' }, /^noteDate must be an ISO 8601 date-time/],
      [{ ...base, accountId: undefined }, /accountId or organizationId is required/],
      [{ ...base, accountId: 'n-acc' }, /Unknown account id: n-acc/],
      [{ ...base, authorId: 'nobody' }, /Unknown admin id in authorId: nobody/],
      [{ ...base, body: 'wrong field' }, /Unknown field: body/],
      [{ ...base, tags: 'a,b' }, /tags must be an array of strings/],
    ];
    for (const [body, message] of cases) {
      const res = await rest(sb, 'POST', '/resources/notes', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(message);
    }
  });

  it('gets, merges and archives a note by Vitally id only', async () => {
    const created = await rest(sb, 'POST', '/resources/notes', {
      externalId: 'n2',
      accountId: acc.id,
      note: 'a',
      noteDate: '2024-03-01T10:00:00Z',
      traits: { k: 1, j: 2 },
    });
    const id = created.json.id as string;
    expect((await rest(sb, 'GET', '/resources/notes/n2')).status).toBe(404);
    const put = await rest(sb, 'PUT', `/resources/notes/${id}`, { note: 'b', traits: { k: null } });
    expect(put.json).toMatchObject({ note: 'b', traits: { j: 2 } });
    const del = await rest(sb, 'DELETE', `/resources/notes/${id}`);
    expect(del.status).toBe(200);
    expect(del.json.archivedAt).toMatch(/^\d{4}-/);
    expect((await rest(sb, 'GET', `/resources/notes/${id}`)).json.archivedAt).toBe(del.json.archivedAt);
    const archived = await rest(sb, 'GET', '/resources/notes?archived=true');
    expect(archived.json.results.map((n: { id: string }) => n.id)).toEqual([id]);
  });

  it('creates tasks with externalId uniqueness, admin checks and date-only due dates', async () => {
    const body = { externalId: 't1', name: 'Call', accountId: acc.id, dueDate: '2024-05-01', assignedToId: ADMIN };
    const first = await rest(sb, 'POST', '/resources/tasks', body);
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ name: 'Call', dueDate: '2024-05-01', assignedToId: ADMIN, completedAt: null });
    const second = await rest(sb, 'POST', '/resources/tasks', { ...body, name: 'Call back', completedAt: '2024-05-02T09:00:00Z', completedById: ADMIN });
    expect(second.json.id).toBe(first.json.id);
    expect(second.json.name).toBe('Call back');
    expect(sb.store.all('tasks')).toHaveLength(1);
    expect((await rest(sb, 'POST', '/resources/tasks', { accountId: acc.id })).json.error).toMatch(/^name is required/);
    expect((await rest(sb, 'POST', '/resources/tasks', { ...body, assignedToId: 'x' })).json.error).toMatch(/Unknown admin id in assignedToId/);
    const put = await rest(sb, 'PUT', `/resources/tasks/${first.json.id}`, { dueDate: null });
    expect(put.json.dueDate).toBeNull();
    expect((await rest(sb, 'DELETE', `/resources/tasks/${first.json.id}`)).json.archivedAt).not.toBeNull();
    expect((await rest(sb, 'PUT', '/resources/tasks/unknown', { name: 'x' })).status).toBe(404);
  });
});

describe('sandbox conversations', () => {
  let sb: Sandbox;
  let acc: { id: string };
  let u: { id: string };
  beforeAll(async () => {
    sb = await createSandbox({ admins: [{ id: ADMIN, email: 'csm@example.com' }] });
    acc = await account(sb, 'c-acc');
    u = await user(sb, 'c-user', { accountIds: [acc.id] });
  });
  afterAll(() => sb.close());

  const msg = (externalId: string, text: string) => ({
    externalId,
    message: text,
    from: { type: 'user', id: u.id },
    to: [{ type: 'admin', id: ADMIN }],
    timestamp: '2024-01-01T00:00:00Z',
  });

  it('links a conversation to the account of its user participant', async () => {
    const res = await rest(sb, 'POST', '/resources/conversations', { externalId: 'c1', subject: 'Help', messages: [msg('m1', 'hello')] });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ externalId: 'c1', accountIds: [acc.id], userIds: [u.id], adminIds: [ADMIN] });
    expect(res.json.messages[0]).toMatchObject({ externalId: 'm1', type: 'inbound', conversationId: res.json.id });
    const perAccount = await rest(sb, 'GET', '/resources/accounts/c-acc/conversations');
    expect(perAccount.json.results.map((c: { id: string }) => c.id)).toEqual([res.json.id]);
    expect(perAccount.json.results[0]).not.toHaveProperty('messages');
  });

  it('rejects accountId, unknown participants and missing messages', async () => {
    const withAccount = await rest(sb, 'POST', '/resources/conversations', { accountId: acc.id, messages: [msg('m', 'x')] });
    expect(withAccount.status).toBe(400);
    expect(withAccount.json.error).toBe('Unknown field: accountId');
    const ghost = await rest(sb, 'POST', '/resources/conversations', { messages: [{ ...msg('m', 'x'), from: { type: 'user', id: 'ghost' } }] });
    expect(ghost.json.error).toBe('messages[0].from: Unknown user id: ghost');
    expect((await rest(sb, 'POST', '/resources/conversations', { subject: 's' })).json.error).toMatch(/^messages is required/);
    expect((await rest(sb, 'POST', '/resources/conversations', { messages: [{ message: 'x' }] })).json.error).toMatch(/^messages\[0\]\.externalId is required/);
  });

  it('merges messages by externalId when the conversation externalId repeats', async () => {
    const again = await rest(sb, 'POST', '/resources/conversations', { externalId: 'c1', messages: [msg('m1', 'edited'), msg('m2', 'second')] });
    expect(again.status).toBe(200);
    expect(again.json.messages.map((m: { externalId: string; message: string }) => [m.externalId, m.message])).toEqual([
      ['m1', 'edited'],
      ['m2', 'second'],
    ]);
    expect(sb.store.all('conversations')).toHaveLength(1);
    const list = await rest(sb, 'GET', '/resources/conversations');
    expect(list.json.results[0]).not.toHaveProperty('messages');
    const got = await rest(sb, 'GET', `/resources/conversations/${again.json.id}`);
    expect(got.json.messages).toHaveLength(2);
    expect((await rest(sb, 'DELETE', `/resources/conversations/${again.json.id}`)).status).toBe(200);
    expect(sb.store.all('conversations')).toHaveLength(0);
  });
});
