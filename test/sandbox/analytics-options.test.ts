import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { analytics, rest } from './helpers.js';

const CO = '6f1c2b9e-0000-4000-8000-000000000001';
/** The live profile with its Analytics delay cut to the next tick, so settled() does not wait 200 ms. */
const LIVE = { profile: 'live', analyticsDelayMs: 0 } as const;

describe('sandbox Analytics options', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it('live: a batch is answered Success. at once and applied afterwards; flush() applies it now', async () => {
    sb = await createSandbox({ profile: 'live', analyticsDelayMs: 60_000 });
    const res = await analytics(sb, 'batch', [
      { type: 'account', accountId: 'a1', traits: { name: 'A1' }, messageId: 'm1' },
      { type: 'user', userId: 'u1', accountId: 'a1', traits: {}, messageId: 'm2' },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'Success.' });
    // Not applied when the answer left: a REST read after it finds nothing yet.
    expect((await rest(sb, 'GET', '/resources/accounts/a1')).status).toBe(404);
    expect(sb.stats.messages).toEqual({ applied: 0, deduplicated: 0 });
    const settled = sb.settled();
    sb.flush();
    await settled;
    expect(sb.store.get('accounts', 'a1')).toMatchObject({ name: 'A1' });
    expect(sb.store.get('users', 'u1')?.accountIds).toEqual([sb.store.get('accounts', 'a1')?.id]);
    expect(sb.stats.messages).toEqual({ applied: 2, deduplicated: 0 });
    await sb.settled(); // nothing pending: resolves at once
  });

  it('live: messages wait analyticsDelayMs (default 200) after the answer, and are applied in the order received', async () => {
    sb = await createSandbox({ profile: 'live' });
    expect(sb.options.analyticsDelayMs).toBe(200);
    await analytics(sb, 'account', { accountId: 'd1', traits: { name: 'First' }, messageId: 'd-1' });
    await analytics(sb, 'account', { accountId: 'd1', traits: { name: 'Second' }, messageId: 'd-2' });
    sb.flush();
    expect(sb.store.get('accounts', 'd1')?.name).toBe('Second');
    expect((await rest(sb, 'GET', '/resources/accounts/d1')).json.name).toBe('Second');
  });

  it('live: invalid messages are dropped silently, the valid ones of the same batch applied', async () => {
    sb = await createSandbox(LIVE);
    const res = await analytics(sb, 'batch', [
      { type: 'account', accountId: 'ok', traits: { name: 'OK' }, messageId: 'v1' },
      { type: 'user', userId: 'u', traits: {}, messageId: 'v2' },
      { type: 'identify', userId: 'u', messageId: 'v3' },
      'not an object',
      { type: 'track', event: 'e', properties: {}, accountId: 'ok', messageId: 'v4' },
    ]);
    expect(res.status).toBe(200);
    await sb.settled();
    expect(sb.store.get('accounts', 'ok')).toBeDefined();
    expect(sb.store.events.map((e) => e.messageId)).toEqual(['v4']);
    expect(sb.store.droppedMessages.map((d) => [d.type, d.reason])).toEqual([
      ['user', 'message 1: accountId or organizationId is required'],
      ['identify', 'message 2: type must be one of track, user, account, organization, unlink, customobjectinstance (got "identify")'],
      ['undefined', 'message 3: must be an object'],
    ]);
    expect(sb.stats.messagesDropped).toBe(3);
    // A single message endpoint answers the same way.
    expect((await analytics(sb, 'track', { event: 'e', properties: {}, userId: 'u' })).status).toBe(200);
    await sb.settled();
    expect(sb.store.droppedMessages[3]?.reason).toBe('timestamp or messageId is required');
  });

  it('live: messages naming an unknown account or organization are dropped, not given placeholders', async () => {
    sb = await createSandbox(LIVE);
    await analytics(sb, 'batch', [
      { type: 'user', userId: 'u1', accountId: 'ghost', traits: {}, messageId: 'g1' },
      { type: 'account', accountId: 'real', organizationId: 'ghost-org', traits: { name: 'R' }, messageId: 'g2' },
      { type: 'track', event: 'e', properties: {}, accountId: 'ghost', messageId: 'g3' },
      { type: 'account', accountId: 'made', traits: { name: 'M' }, messageId: 'g4' },
      { type: 'user', userId: 'u2', accountId: 'made', traits: {}, messageId: 'g5' },
    ]);
    await sb.settled();
    expect(sb.store.all('accounts').map((a) => a.externalId)).toEqual(['made']);
    expect(sb.store.all('users').map((u) => u.externalId)).toEqual(['u2']);
    expect(sb.store.all('organizations')).toHaveLength(0);
    expect(sb.store.events).toHaveLength(0);
    expect(sb.store.droppedMessages.map((d) => d.reason)).toEqual([
      'accountId "ghost" names no known account',
      'organizationId "ghost-org" names no known organization',
      'accountId "ghost" names no known account',
    ]);
  });

  it('blocked types, batches over 100 and bodies that are not arrays are refused (400) in the live profile too', async () => {
    sb = await createSandbox({ ...LIVE, blockedAnalyticsTypes: ['user'] });
    const blocked = await analytics(sb, 'batch', [{ type: 'user', userId: 'u', accountId: 'a', traits: {}, messageId: 1 }]);
    expect(blocked.status).toBe(400);
    expect(blocked.json.error).toBe('Message type user is blocked for this workspace');
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ type: 'track', event: 'e', properties: {}, userId: 'u', messageId: i }));
    expect((await analytics(sb, 'batch', tooMany)).status).toBe(400);
    expect((await analytics(sb, 'batch', { nope: 1 })).status).toBe(400);
    await sb.settled();
    expect(sb.store.droppedMessages).toHaveLength(0);
  });

  it('options apart: deferred but strict (400 on a bad batch), at once but dropping', async () => {
    sb = await createSandbox({ analyticsApply: 'deferred', analyticsDelayMs: 60_000 });
    const bad = await analytics(sb, 'batch', [{ type: 'user', userId: 'u', traits: {}, messageId: 1 }]);
    expect(bad.status).toBe(400);
    await analytics(sb, 'account', { accountId: 'x', traits: {}, messageId: 2 });
    expect(sb.store.get('accounts', 'x')).toBeUndefined();
    sb.flush();
    expect(sb.store.get('accounts', 'x')).toBeDefined();
    sb.options.analyticsApply = 'at-once';
    sb.options.analyticsInvalid = 'drop';
    expect((await analytics(sb, 'user', { userId: 'u', traits: {}, messageId: 3 })).status).toBe(200);
    expect(sb.store.droppedMessages).toHaveLength(1);
  });

  it('duplicates are still recognised when applied later; reset() forgets what was not applied yet', async () => {
    sb = await createSandbox({ profile: 'live', analyticsDelayMs: 60_000 });
    const ev = { event: 'e', properties: {}, userId: 'u', messageId: 'same' };
    await analytics(sb, 'track', ev);
    await analytics(sb, 'track', ev);
    sb.reset();
    await sb.settled(); // released by reset, not by the delay
    expect(sb.store.events).toHaveLength(0);
    sb.options.analyticsDelayMs = 0;
    await analytics(sb, 'track', ev);
    await analytics(sb, 'track', ev);
    await sb.settled();
    expect(sb.store.events).toHaveLength(1);
    expect(sb.stats.messages).toEqual({ applied: 1, deduplicated: 1 });
  });

  it('customobjectinstance messages create then update an instance by externalId within its custom object', async () => {
    sb = await createSandbox({ customObjects: [{ id: CO, name: 'subscription' }] });
    await analytics(sb, 'account', { accountId: 'acc', traits: { name: 'Acc' }, messageId: 'c0' });
    const first = await analytics(sb, 'customobjectinstance', {
      externalId: 'sub-1',
      customObjectId: CO,
      name: 'Pro',
      accountId: 'acc',
      traits: { seats: 5, plan: 'pro' },
      messageId: 'c1',
    });
    expect(first.status).toBe(200);
    await analytics(sb, 'batch', [
      { type: 'customobjectinstance', externalId: 'sub-1', customObjectId: CO, traits: { seats: 6, plan: null }, messageId: 'c2' },
    ]);
    const found = await rest(sb, 'GET', `/resources/customObjects/${CO}/instances/search?externalId=sub-1`);
    expect(found.json).toEqual([
      expect.objectContaining({
        externalId: 'sub-1',
        name: 'Pro',
        customObjectId: CO,
        customerId: sb.store.get('accounts', 'acc')?.id,
        traits: { seats: 6 },
      }),
    ]);
    const unknown = await analytics(sb, 'customobjectinstance', { externalId: 'x', customObjectId: 'nope', traits: {}, messageId: 'c3' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toBe('customObjectId "nope" names no custom object');
    expect((await analytics(sb, 'customobjectinstance', { externalId: 'x', customObjectId: CO, messageId: 'c4' })).json.error).toBe('traits must be an object');
  });

  it('live: a customobjectinstance message naming an unknown account is dropped', async () => {
    sb = await createSandbox({ ...LIVE, customObjects: [{ id: CO, name: 'subscription' }] });
    await analytics(sb, 'customobjectinstance', { externalId: 's', customObjectId: CO, accountId: 'ghost', traits: {}, messageId: 1 });
    await sb.settled();
    expect(sb.store.all('customObjectInstances')).toHaveLength(0);
    expect(sb.store.droppedMessages[0]?.reason).toBe('accountId "ghost" names no known account');
  });
});
