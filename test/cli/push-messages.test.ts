import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Profile, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, pushFixtures, rows, runCli, sandboxEnv, tempDir, useSandbox, writeTemp } from '../helpers/cli.js';

const LISTING = '/resources/conversations?limit=100&sortBy=createdAt';

describe.each<Profile>(['docs', 'live'])('messages, and conversations that exist (sandbox profile %s)', (profile) => {
  let sb: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  let state: string;
  // The fixtures' inbound messages name no team member, so they go without `to`, which the docs' Vitally
  // refuses (push-append.test.ts shows it): these tests are about appending, so both take a message without it.
  useSandbox((c) => ({ sb, dir, env } = c), { profile, messageTo: 'optional', admins: [{ email: 'cs@vendor.example', name: 'Casey' }] });
  let run = 0;
  beforeEach(async () => {
    state = join(dir, `state-${profile}-${++run}.db`);
    await pushFixtures(env, ['account', 'user']);
    // The conversations exist in Vitally; the state store knows them.
    await runCli(['push', 'fixtures/conversations.csv', '--object', 'conversation', '--state', state], { env });
    sb.requests.length = 0;
  });

  const said = () => sb.requests.map((r) => `${r.method} ${r.path}`);
  const conv = (ext: string) => sb.store.get('conversations', ext)!;
  const messagesOf = (ext: string) => (conv(ext).messages as Array<Record<string, unknown>>).map((m) => [m.externalId, m.message]);
  const userId = (ext: string) => sb.store.get('users', ext)!.id as string;

  it('appends each message to the conversation the row names, its id known from the state store', async () => {
    const r = await runCli(['push', 'fixtures/messages.csv', '--object', 'message', '--json', '--state', state], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.status, x.action])).toEqual([
      ['conv-1-2', 'ok', 'created'],
      ['conv-2-2', 'ok', 'created'],
    ]);
    // No look-up: the conversations' and users' ids are in the store.
    expect(said().sort()).toEqual(
      [`POST /resources/conversations/${conv('conv-1').id}/messages`, `POST /resources/conversations/${conv('conv-2').id}/messages`].sort(),
    );
    expect(JSON.parse(sb.requests.find((q) => q.path.includes(conv('conv-1').id as string))!.body)).toEqual({
      externalId: 'conv-1-2',
      message: 'Thanks, signing in works again.',
      from: { type: 'user', id: userId('u-1') },
      timestamp: '2026-11-03T10:05:00.000Z',
    });
    expect(messagesOf('conv-1')).toEqual([
      ['conv-1-1', "I can't sign in since this morning."],
      ['conv-1-2', 'Thanks, signing in works again.'],
    ]);
  });

  it('without the store, finds the conversations in the list of conversations (one listing a run); a re-run adds nothing', async () => {
    const r = await runCli(['push', 'fixtures/messages.csv', '--object', 'message', '--json'], { env });
    expect(r.code).toBe(0);
    // One page holds both (the live profile's page also says it is the last: atEnd).
    expect(said().filter((s) => s.startsWith('GET /resources/conversations'))).toEqual([`GET ${LISTING}`]);
    const again = await runCli(['push', 'fixtures/messages.csv', '--object', 'message', '--json'], { env });
    expect(rows(again).map((x) => [x.status, x.id])).toEqual(rows(r).map((x) => [x.status, x.id]));
    expect(messagesOf('conv-1')).toHaveLength(2);
    expect(messagesOf('conv-2')).toHaveLength(2);
  });

  it('an unknown conversation fails its row, by externalId or by Vitally id; the other rows go', async () => {
    const file = writeTemp(
      dir,
      'unknown.csv',
      `externalId,conversationExternalId,conversationId,body,userExternalId\nm-1,conv-1,,ok,u-1\nm-2,conv-404,,lost,u-1\nm-3,,${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)},lost too,u-1\n`,
    );
    const r = await runCli(['push', file, '--object', 'message', '--json', '--state', state], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.action])).toEqual([
      ['m-1', 'ok', 'created'],
      ['m-2', 'failed', 'invalid'],
      ['m-3', 'failed', 'error'],
    ]);
    expect(rows(r)[1]!.error).toBe('conversationExternalId "conv-404": no conversation with this externalId in Vitally');
    expect(rows(r)[2]).toMatchObject({ httpStatus: 404 });
    expect(rows(r)[2]!.error).toMatch(/^POST \/resources\/conversations\/00000000-0000-4000-8000-000000000000\/messages answered 404: /);
    expect(messagesOf('conv-1').map(([id]) => id)).toEqual(['conv-1-1', 'm-1']);
  });

  it('a row naming the conversation both ways fails alone when the two disagree, and goes when they agree', async () => {
    const c1 = conv('conv-1').id as string;
    const file = writeTemp(
      dir,
      'both.csv',
      `externalId,conversationExternalId,conversationId,body,userExternalId\nm-agree,conv-1,${c1},same one,u-1\nm-clash,conv-2,${c1},which one?,u-2\n`,
    );
    const r = await runCli(['push', file, '--object', 'message', '--json', '--state', state], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.action])).toEqual([
      ['m-agree', 'ok', 'created'],
      ['m-clash', 'failed', 'invalid'],
    ]);
    expect(rows(r)[1]!.error).toBe(
      `conversationId "${c1}" and conversationExternalId "conv-2" (conversation ${conv('conv-2').id as string} in Vitally) name different records: give one of them`,
    );
    expect(messagesOf('conv-1').map(([id]) => id)).toEqual(['conv-1-1', 'm-agree']);
    expect(messagesOf('conv-2').map(([id]) => id)).toEqual(['conv-2-1']);
  });

  it('an outbound message is from the team member to the user; a row without one fails before sending', async () => {
    const admin = sb.store.admins[0]!.id;
    const file = writeTemp(
      dir,
      'out.csv',
      'externalId,conversationExternalId,body,userExternalId,adminEmail,direction\nm-out,conv-2,Here it is again.,u-2,cs@vendor.example,outbound\nm-bad,conv-2,Who sent me?,u-2,,outbound\n',
    );
    const r = await runCli(['push', file, '--object', 'message', '--json', '--state', state], { env });
    expect(rows(r)[1]).toMatchObject({
      status: 'failed',
      error: 'adminId: an outbound message needs the team member who sent it (adminEmail or adminId)',
    });
    const sent = (conv('conv-2').messages as Array<Record<string, unknown>>).find((m) => m.externalId === 'm-out')!;
    expect(sent).toMatchObject({ from: { type: 'admin', id: admin }, to: [{ type: 'user', id: userId('u-2') }] });
  });

  it('a conversation row for a conversation Vitally holds appends its message instead of posting the conversation again', async () => {
    // The same conversation ids with a new message each: known from the store, or found in the list without it.
    const file = writeTemp(
      dir,
      'followups.csv',
      'externalId,body,userExternalId,messageExternalId\nconv-1,Any news?,u-1,conv-1-9\nconv-new,A new thread,u-2,conv-new-1\n',
    );
    const withStore = await runCli(['push', file, '--object', 'conversation', '--json', '--state', state], { env });
    expect(rows(withStore).map((x) => [x.key, x.action, x.id === conv(x.key).id])).toEqual([
      ['conv-1', 'updated', true],
      ['conv-new', 'created', true],
    ]);
    expect(said().filter((s) => s.startsWith('POST'))).toEqual(
      expect.arrayContaining([`POST /resources/conversations/${conv('conv-1').id}/messages`, 'POST /resources/conversations']),
    );
    expect(said().filter((s) => s === 'POST /resources/conversations')).toHaveLength(1);
    expect(messagesOf('conv-1').map(([id]) => id)).toEqual(['conv-1-1', 'conv-1-9']);

    sb.requests.length = 0;
    const noStore = await runCli(['push', file, '--object', 'conversation', '--json'], { env });
    expect(rows(noStore).map((x) => [x.key, x.action])).toEqual([
      ['conv-1', 'updated'],
      ['conv-new', 'updated'],
    ]);
    expect(said()).not.toContain('POST /resources/conversations');
    expect(sb.store.all('conversations')).toHaveLength(3);
    expect(messagesOf('conv-new')).toHaveLength(1);
  });

  it('a dry run shows the path with a placeholder for the conversation, and sends nothing', async () => {
    const r = await runCli(['push', 'fixtures/messages.csv', '--object', 'message', '--dry-run', '--json'], { env: {} });
    expect(rows(r)[0]!.requests).toEqual([
      {
        method: 'POST',
        path: '/resources/conversations/{{conversation:conv-1}}/messages',
        body: {
          externalId: 'conv-1-2',
          message: 'Thanks, signing in works again.',
          from: { type: 'user', id: '{{user:u-1}}' },
          timestamp: '2026-11-03T10:05:00.000Z',
        },
      },
    ]);
    expect(sb.requests).toHaveLength(0);
  });
});

describe('the list of conversations, read as far as needed', () => {
  let sb: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    // Inbound messages naming no team member go without `to`: a sandbox that takes them (see above).
    sb = await createSandbox({ rateLimit: FAST_RATE, messageTo: 'optional' });
    dir = tempDir();
    env = sandboxEnv(sb);
    await pushFixtures(env, ['account', 'user']);
    // 150 conversations, one at a time so their creation order is the file's: thread-1 is the oldest.
    const lines = Array.from({ length: 150 }, (_, i) => `thread-${i + 1},Message ${i + 1},u-1`);
    const file = writeTemp(dir, 'threads.csv', `externalId,body,userExternalId\n${lines.join('\n')}\n`);
    expect((await runCli(['push', file, '--object', 'conversation', '--concurrency', '1'], { env })).code).toBe(0);
  });
  afterAll(() => sb.close());
  beforeEach(() => (sb.requests.length = 0));

  const listings = () => sb.requests.filter((q) => q.method === 'GET' && q.path.startsWith('/resources/conversations?'));

  it('a recent conversation is on the first page: one request for every row that names one', async () => {
    const file = writeTemp(
      dir,
      'recent.csv',
      'externalId,conversationExternalId,body,userExternalId\nr-1,thread-150,hi,u-1\nr-2,thread-149,hi,u-1\nr-3,thread-150,again,u-1\n',
    );
    const r = await runCli(['push', file, '--object', 'message', '--json'], { env });
    expect(rows(r).map((x) => x.status)).toEqual(['ok', 'ok', 'ok']);
    expect(listings()).toHaveLength(1);
  });

  it('an older one is on a later page, read from the cursor; one Vitally lacks reads the list to its end, once', async () => {
    const file = writeTemp(
      dir,
      'old.csv',
      'externalId,conversationExternalId,body,userExternalId\no-1,thread-1,hi,u-1\no-2,thread-0,lost,u-1\no-3,thread-999,lost,u-1\n',
    );
    const r = await runCli(['push', file, '--object', 'message', '--json'], { env });
    expect(rows(r).map((x) => [x.key, x.status])).toEqual([
      ['o-1', 'ok'],
      ['o-2', 'failed'],
      ['o-3', 'failed'],
    ]);
    expect(listings().map((q) => q.path.replace(/from=.*/, 'from=…'))).toEqual([
      '/resources/conversations?limit=100&sortBy=createdAt',
      '/resources/conversations?limit=100&sortBy=createdAt&from=…',
    ]);
    expect((sb.store.get('conversations', 'thread-1')!.messages as unknown[]).length).toBe(2);
  });
});
