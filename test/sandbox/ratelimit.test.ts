import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { analytics, rest, sleep } from './helpers.js';

describe('sandbox rate limit', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it('puts the documented headers on every authenticated REST answer, errors included', async () => {
    sb = await createSandbox();
    const ok = await rest(sb, 'GET', '/resources/accounts');
    expect(ok.headers['ratelimit-limit']).toBe('1000, 1000;window=60');
    expect(ok.headers['ratelimit-remaining']).toBe('999');
    expect(Number(ok.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(59);
    expect(Number(ok.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
    const notFound = await rest(sb, 'GET', '/resources/accounts/nope');
    expect(notFound.status).toBe(404);
    expect(notFound.headers['ratelimit-remaining']).toBe('998');
    const bad = await rest(sb, 'POST', '/resources/accounts', { externalId: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.headers['ratelimit-remaining']).toBe('997');
  });

  it('answers 429 past the window edge, and 429s do not consume the allowance', async () => {
    sb = await createSandbox({ rateLimit: { limit: 5, windowMs: 2000 } });
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await rest(sb, 'GET', '/resources/accounts');
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('5, 5;window=2');
      remaining.push(res.headers['ratelimit-remaining'] as string);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    await sleep(1000);
    for (let i = 0; i < 3; i++) {
      const limited = await rest(sb, 'GET', '/resources/accounts');
      expect(limited.status).toBe(429);
      expect(limited.json).toEqual({ error: 'Too Many Requests' });
      expect(limited.headers['ratelimit-remaining']).toBe('0');
      expect(['1', '2']).toContain(limited.headers['ratelimit-reset']);
      expect(limited.headers['retry-after']).toBeUndefined();
    }
    expect(sb.stats.rateLimited).toBe(3);
    expect(sb.stats.byStatus[429]).toBe(3);
    // Once the five accepted requests leave the window, five more fit; had the 429s (sent a second
    // later) been counted, they would still be in the window and the next requests would be refused.
    await sleep(1100);
    for (let i = 0; i < 5; i++) expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200);
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(429);
    expect(sb.stats.maxInWindow).toBe(5);
  });

  it('sends Retry-After on 429 only when asked to', async () => {
    sb = await createSandbox({ rateLimit: { limit: 1, windowMs: 30_000 }, retryAfter: true });
    expect((await rest(sb, 'GET', '/resources/users')).status).toBe(200);
    const limited = await rest(sb, 'GET', '/resources/users');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(29);
    expect(limited.headers['ratelimit-reset']).toBe(limited.headers['retry-after']);
  });

  it('reads the limit at run time and clears the window on reset()', async () => {
    sb = await createSandbox({ rateLimit: { limit: 2, windowMs: 60_000 } });
    await rest(sb, 'GET', '/resources/accounts');
    await rest(sb, 'GET', '/resources/accounts');
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(429);
    sb.options.rateLimit = { limit: 3, windowMs: 60_000 };
    const third = await rest(sb, 'GET', '/resources/accounts');
    expect(third.status).toBe(200);
    expect(third.headers['ratelimit-limit']).toBe('3, 3;window=60');
    sb.reset();
    const fresh = await rest(sb, 'GET', '/resources/accounts');
    expect(fresh.headers['ratelimit-remaining']).toBe('2');
    expect(sb.stats.requests).toBe(1);
    expect(sb.stats.rateLimited).toBe(0);
  });

  it('leaves the Analytics API unlimited and header-free by default', async () => {
    sb = await createSandbox({ rateLimit: { limit: 1, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const res = await analytics(sb, 'track', { event: 'e', properties: {}, userId: 'u', messageId: `m${i}` });
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBeUndefined();
    }
    // The Analytics API has its own window: REST is still untouched.
    expect((await rest(sb, 'GET', '/resources/accounts')).headers['ratelimit-remaining']).toBe('0');
  });

  it('limits the Analytics API on its own window when analyticsRateLimit is set', async () => {
    sb = await createSandbox({ analyticsRateLimit: { limit: 2, windowMs: 60_000 } });
    const msg = (i: number) => ({ event: 'e', properties: {}, userId: 'u', messageId: `a${i}` });
    const first = await analytics(sb, 'track', msg(1));
    expect(first.headers['ratelimit-limit']).toBe('2, 2;window=60');
    expect(first.headers['ratelimit-remaining']).toBe('1');
    expect((await analytics(sb, 'track', msg(2))).status).toBe(200);
    const limited = await analytics(sb, 'track', msg(3));
    expect(limited.status).toBe(429);
    expect(sb.store.events.map((e) => e.messageId)).toEqual(['a1', 'a2']);
    expect(sb.stats.analyticsMaxInWindow).toBe(2);
    expect((await rest(sb, 'GET', '/resources/accounts')).headers['ratelimit-remaining']).toBe('999');
  });
});
