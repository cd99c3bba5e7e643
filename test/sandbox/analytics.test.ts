import { describe, it, expect, beforeEach, afterAll, beforeAll } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { analytics, rest } from './helpers.js';

const TS = '2024-06-01T12:00:00.000Z';

describe('sandbox Analytics API', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox();
  });
  beforeEach(() => sb.reset());
  afterAll(() => sb.close());

  it('account messages create then update the REST-visible account; name and avatar are fields', async () => {
    const res = await analytics(sb, 'account', { accountId: 'acme', traits: { name: 'Acme', avatar: 'a.png', mrr: 5, drop: 1 }, timestamp: TS });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'Success.' });
    await analytics(sb, 'account', { accountId: 'acme', organizationId: 'org-x', traits: { mrr: 6, drop: null }, messageId: 'acc-2' });
    const got = await rest(sb, 'GET', '/resources/accounts/acme');
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ externalId: 'acme', name: 'Acme', avatar: 'a.png', traits: { mrr: 6 } });
    expect(got.json.traits).not.toHaveProperty('drop');
    expect(got.json.traits).not.toHaveProperty('name');
    expect(got.json.organizationId).toBe(sb.store.get('organizations', 'org-x')?.id);
  });

  it('organization messages create the REST-visible organization', async () => {
    await analytics(sb, 'organization', { organizationId: 42, traits: { name: 'Org 42' }, messageId: 7 });
    expect(sb.store.get('organizations', '42')).toMatchObject({ name: 'Org 42' });
  });

  it('user messages add links (never remove) and create placeholder accounts; unlink removes one', async () => {
    await analytics(sb, 'account', { accountId: 'a1', traits: { name: 'A1' }, messageId: 'x1' });
    await analytics(sb, 'user', {
      userId: 'u1',
      accountId: 'a1',
      traits: { name: 'Ann', email: 'ann@x.io', createdAt: '2023-01-01T00:00:00Z', plan: 'pro' },
      messageId: 'x2',
    });
    await analytics(sb, 'user', { userId: 'u1', accountId: 'a2', traits: {}, messageId: 'x3' });
    const a1 = sb.store.get('accounts', 'a1');
    const a2 = sb.store.get('accounts', 'a2');
    expect(a2).toMatchObject({ externalId: 'a2', name: null });
    const u = sb.store.get('users', 'u1');
    expect(u).toMatchObject({ name: 'Ann', email: 'ann@x.io', joinDate: '2023-01-01T00:00:00Z', traits: { plan: 'pro' } });
    expect(u?.accountIds).toEqual([a1?.id, a2?.id]);
    const unlink = await analytics(sb, 'unlink', { userId: 'u1', accountId: 'a1', messageId: 'x4' });
    expect(unlink.status).toBe(200);
    expect(sb.store.get('users', 'u1')?.accountIds).toEqual([a2?.id]);
    const search = await rest(sb, 'GET', '/resources/users/search?email=ANN%40x.io');
    expect(search.json.results).toHaveLength(1);
  });

  it('validates each message type', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['track', { event: 'e', properties: {}, userId: 'u' }, /timestamp or messageId is required/],
      ['track', { properties: {}, userId: 'u', timestamp: TS }, /event is required/],
      ['track', { event: 'e', userId: 'u', timestamp: TS }, /properties is required/],
      ['track', { event: 'e', properties: {}, timestamp: TS }, /one of userId, accountId, organizationId is required/],
      ['track', { event: 'e', properties: {}, userId: 'u', timestamp: 'yesterday' }, /timestamp must be an ISO 8601 date-time/],
      ['user', { userId: 'u', traits: {}, timestamp: TS }, /accountId or organizationId is required/],
      ['user', { accountId: 'a', traits: {}, timestamp: TS }, /userId is required/],
      ['account', { accountId: 'a', traits: 'x', timestamp: TS }, /traits must be an object/],
      ['unlink', { userId: 'u', timestamp: TS }, /accountId is required/],
    ];
    for (const [type, body, message] of cases) {
      const res = await analytics(sb, type, body);
      expect(res.status, `${type} ${JSON.stringify(body)}`).toBe(400);
      expect(res.json.error).toMatch(message);
    }
    const instance = await analytics(sb, 'customobjectinstance', { timestamp: TS });
    expect(instance.status).toBe(400);
    expect(instance.json.error).toBe('externalId is required');
    expect((await analytics(sb, 'identify', { timestamp: TS })).status).toBe(404);
    expect(sb.store.events).toHaveLength(0);
  });

  it('records track events once per messageId (per type), accepting duplicates with 200', async () => {
    const ev = { event: 'login', properties: { n: 1 }, userId: 'u1', accountId: 'a1', messageId: 'ev-1' };
    expect((await analytics(sb, 'track', ev)).status).toBe(200);
    expect((await analytics(sb, 'track', { ...ev, properties: { n: 2 } })).status).toBe(200);
    expect(sb.store.events).toHaveLength(1);
    expect(sb.store.events[0]).toMatchObject({ event: 'login', properties: { n: 1 }, userId: 'u1', accountId: 'a1', messageId: 'ev-1' });
    expect(sb.stats.messages).toEqual({ applied: 1, deduplicated: 1 });
    // Same messageId on another type is another message.
    await analytics(sb, 'account', { accountId: 'a1', traits: {}, messageId: 'ev-1' });
    expect(sb.stats.messages.applied).toBe(2);
    // Without a messageId, an identical message (same timestamp) is recognised by its content.
    const noId = { event: 'view', properties: {}, userId: 'u1', timestamp: TS };
    await analytics(sb, 'track', noId);
    await analytics(sb, 'track', { properties: {}, timestamp: TS, userId: 'u1', event: 'view' });
    expect(sb.store.events.filter((e) => e.event === 'view')).toHaveLength(1);
  });

  it('applies a valid batch and dedups inside it', async () => {
    const res = await analytics(sb, 'batch', [
      { type: 'account', accountId: 'b1', traits: { name: 'B1' }, messageId: 'b-1' },
      { type: 'user', userId: 'bu', accountId: 'b1', traits: {}, messageId: 'b-2' },
      { type: 'track', event: 'e', properties: {}, userId: 'bu', messageId: 'b-3' },
      { type: 'track', event: 'e', properties: {}, userId: 'bu', messageId: 'b-3' },
    ]);
    expect(res.status).toBe(200);
    expect(sb.store.get('users', 'bu')?.accountIds).toEqual([sb.store.get('accounts', 'b1')?.id]);
    expect(sb.store.events).toHaveLength(1);
    expect(sb.stats.messages).toEqual({ applied: 3, deduplicated: 1 });
  });

  it('rejects a whole batch naming the first bad message, and applies nothing', async () => {
    const batch = [
      { type: 'account', accountId: 'never', traits: { name: 'Never' }, messageId: 'n-0' },
      { type: 'track', event: 'e', properties: {}, userId: 'u', messageId: 'n-1' },
      { type: 'organization', organizationId: 'o', traits: {}, messageId: 'n-2' },
      { type: 'user', userId: 'u', traits: {}, messageId: 'n-3' },
    ];
    const res = await analytics(sb, 'batch', batch);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'message 3: accountId or organizationId is required' });
    expect(sb.store.get('accounts', 'never')).toBeUndefined();
    expect(sb.store.events).toHaveLength(0);
    const badType = await analytics(sb, 'batch', [batch[0], { type: 'identify', userId: 'u' }]);
    expect(badType.json.error).toMatch(/^message 1: type must be one of/);
    const tooMany = await analytics(
      sb,
      'batch',
      Array.from({ length: 101 }, (_, i) => ({ ...batch[1], messageId: `m${i}` })),
    );
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatch(/at most 100/);
    expect((await analytics(sb, 'batch', { batch })).json).toEqual({ error: 'Body must be a JSON array' });
    expect(sb.store.all('accounts')).toHaveLength(0);
  });

  it('answers 405 to anything but POST', async () => {
    const { request } = await import('undici');
    const res = await request(`${sb.analyticsUrl}/analytics/v1/track`, { method: 'GET', headers: { authorization: `Basic ${sb.analyticsToken}` } });
    await res.body.text();
    expect(res.statusCode).toBe(405);
  });
});

describe('sandbox Analytics API with a blocked type', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox({ blockedAnalyticsTypes: ['user'] });
  });
  afterAll(() => sb.close());

  it('answers 400 to any request holding a blocked message type', async () => {
    const single = await analytics(sb, 'user', { userId: 'u', accountId: 'a', traits: {}, messageId: 1 });
    expect(single.status).toBe(400);
    expect(single.json).toEqual({ error: 'Message type user is blocked for this workspace' });
    const batch = await analytics(sb, 'batch', [
      { type: 'account', accountId: 'a', traits: {}, messageId: 2 },
      { type: 'user', userId: 'u', accountId: 'a', traits: {}, messageId: 3 },
    ]);
    expect(batch.status).toBe(400);
    expect(batch.json.error).toBe('Message type user is blocked for this workspace');
    expect(sb.store.all('accounts')).toHaveLength(0);
    expect((await analytics(sb, 'account', { accountId: 'a', traits: {}, messageId: 4 })).status).toBe(200);
  });
});
