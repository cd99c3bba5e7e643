import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const ADMIN = '00000000-0000-4000-8000-0000000000ad';

describe('sandbox messages on existing conversations', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  async function setUp(opts: SandboxOptions = {}) {
    sb = await createSandbox({ admins: [{ id: ADMIN, email: 'csm@example.com' }], ...opts });
    const acc = await account(sb, 'acc');
    const u = await user(sb, 'usr', { accountIds: [acc.id] });
    const from = { type: 'user', id: u.id };
    const to = [{ type: 'admin', id: ADMIN }];
    const conv = await rest(sb, 'POST', '/resources/conversations', {
      externalId: 'thread-1',
      subject: 'Help',
      messages: [{ externalId: 'm1', message: 'first', from, to }],
    });
    return { acc, u, from, to, conv: conv.json as { id: string } };
  }

  it('appends a message by the conversation id; repeating its externalId updates it instead of adding one', async () => {
    const { from, to, conv } = await setUp();
    const added = await rest(sb, 'POST', `/resources/conversations/${conv.id}/messages`, {
      externalId: 'm2',
      message: '<p>second</p>',
      from: { type: 'admin', id: ADMIN },
      to: [from],
      timestamp: '2026-01-01T00:00:00Z',
    });
    expect(added.status).toBe(200);
    expect(added.json).toMatchObject({ externalId: 'm2', conversationId: conv.id, type: 'outbound', message: '<p>second</p>' });
    const again = await rest(sb, 'POST', `/resources/conversations/${conv.id}/messages`, { externalId: 'm2', message: 'edited', from, to });
    expect(again.json).toMatchObject({ id: added.json.id, message: 'edited', type: 'inbound' });
    const got = await rest(sb, 'GET', `/resources/conversations/${conv.id}`);
    expect(got.json.messages.map((m: { externalId: string }) => m.externalId)).toEqual(['m1', 'm2']);
    const one = await rest(sb, 'GET', `/resources/messages/${added.json.id}`);
    expect(one.json).toMatchObject({ id: added.json.id, message: 'edited' });
    expect((await rest(sb, 'DELETE', `/resources/messages/${added.json.id}`)).status).toBe(200);
    expect((await rest(sb, 'GET', `/resources/messages/${added.json.id}`)).status).toBe(404);
    expect((await rest(sb, 'GET', `/resources/conversations/${conv.id}`)).json.messages).toHaveLength(1);
  });

  it("takes the conversation's Vitally id only: its externalId is 404, naming the id to use", async () => {
    const { from, to, conv } = await setUp();
    const res = await rest(sb, 'POST', '/resources/conversations/thread-1/messages', { externalId: 'm3', message: 'x', from, to });
    expect(res.status).toBe(404);
    expect(res.json.error).toBe(`Conversation "thread-1" not found (that is the externalId of conversation ${conv.id}: use its Vitally id)`);
    expect((await rest(sb, 'POST', '/resources/conversations/nothing/messages', { externalId: 'm3', message: 'x', from, to })).json.error).toBe(
      'Conversation "nothing" not found',
    );
  });

  it('docs: a message needs externalId, message, from and to; participants must exist', async () => {
    const { from, to, conv } = await setUp();
    const path = `/resources/conversations/${conv.id}/messages`;
    expect((await rest(sb, 'POST', path, { message: 'x', from, to })).json.error).toBe('externalId is required');
    expect((await rest(sb, 'POST', path, { externalId: 'e', message: 'x', from })).json.error).toBe('to is required');
    expect((await rest(sb, 'POST', path, { externalId: 'e', message: 'x', from: { type: 'user', id: 'ghost' }, to })).json.error).toBe(
      'from: Unknown user id: ghost',
    );
    const noTo = await rest(sb, 'POST', '/resources/conversations', { messages: [{ externalId: 'z', message: 'x', from }] });
    expect(noTo.json.error).toBe('messages[0].to is required');
  });

  it('live: `to` may be left out, on a new conversation and on an appended message', async () => {
    const { from, conv } = await setUp({ profile: 'live' });
    const created = await rest(sb, 'POST', '/resources/conversations', { externalId: 'thread-2', messages: [{ externalId: 'z', message: 'x', from }] });
    expect(created.status).toBe(200);
    expect(created.json.messages[0].to).toEqual([]);
    const added = await rest(sb, 'POST', `/resources/conversations/${conv.id}/messages`, { externalId: 'm9', message: 'y', from });
    expect(added.status).toBe(200);
    expect(added.json.to).toEqual([]);
  });
});
