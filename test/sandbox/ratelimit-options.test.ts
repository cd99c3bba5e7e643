import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { fakeClock, rest } from './helpers.js';

/** Time moves only when these tests move the clock: nothing here waits. */
describe('sandbox rate-limit options', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it('live: X-RateLimit-* headers, Reset as a Unix epoch in seconds, no Retry-After on 429', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ profile: 'live', rateLimit: { limit: 3, windowMs: 60_000 }, now: clock.now });
    const first = await rest(sb, 'GET', '/resources/accounts');
    expect(first.headers['x-ratelimit-limit']).toBe('3');
    expect(first.headers['x-ratelimit-remaining']).toBe('2');
    const resetAt = (clock.now() + 60_000) / 1000;
    expect(first.headers['x-ratelimit-reset']).toBe(String(resetAt));
    expect(first.headers['ratelimit-reset']).toBeUndefined();
    clock.advance(10_000);
    await rest(sb, 'GET', '/resources/accounts');
    const third = await rest(sb, 'GET', '/resources/accounts');
    expect(third.headers['x-ratelimit-remaining']).toBe('0');
    const limited = await rest(sb, 'GET', '/resources/accounts');
    expect(limited.status).toBe(429);
    expect(limited.headers['x-ratelimit-reset']).toBe(String(resetAt));
    expect(limited.headers['retry-after']).toBeUndefined();
  });

  it('live: the window is fixed, emptying 60 seconds after its first request, not sliding', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ profile: 'live', rateLimit: { limit: 2, windowMs: 60_000 }, now: clock.now });
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200); // t=0 opens the window
    clock.advance(50_000);
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200); // t=50s
    clock.advance(9_999);
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(429); // t=59.999s
    clock.advance(1);
    // t=60s: the whole window empties at once, although the t=50s request is 10 s old (a sliding window
    // would still hold it and allow only one).
    const fresh = await rest(sb, 'GET', '/resources/accounts');
    expect(fresh.status).toBe(200);
    expect(fresh.headers['x-ratelimit-remaining']).toBe('1');
    expect(fresh.headers['x-ratelimit-reset']).toBe(String((clock.now() + 60_000) / 1000));
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200);
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(429);
    expect(sb.stats.maxInWindow).toBe(2);
  });

  it('docs: the sliding window frees each request windowMs after it, with RateLimit-* delta headers', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ rateLimit: { limit: 2, windowMs: 60_000 }, now: clock.now });
    await rest(sb, 'GET', '/resources/accounts'); // t=0
    clock.advance(50_000);
    await rest(sb, 'GET', '/resources/accounts'); // t=50s
    clock.advance(10_000);
    const next = await rest(sb, 'GET', '/resources/accounts'); // t=60s: only the first has left
    expect(next.status).toBe(200);
    expect(next.headers['ratelimit-remaining']).toBe('0');
    expect(next.headers['ratelimit-reset']).toBe('50');
    expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(429);
  });

  it('each header choice combines with either window: RateLimit-* with an epoch, X-RateLimit-* with a delta', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ rateLimit: { limit: 5, windowMs: 30_000 }, rateLimitReset: 'epoch', now: clock.now });
    const a = await rest(sb, 'GET', '/resources/accounts');
    expect(a.headers['ratelimit-limit']).toBe('5, 5;window=30');
    expect(a.headers['ratelimit-reset']).toBe(String((clock.now() + 30_000) / 1000));
    sb.options.rateLimitHeaders = 'x-ratelimit';
    sb.options.rateLimitReset = 'delta';
    clock.advance(4_000);
    const b = await rest(sb, 'GET', '/resources/accounts');
    expect(b.headers['x-ratelimit-reset']).toBe('26');
    expect(b.headers['x-ratelimit-remaining']).toBe('3');
  });

  it('retryAfter true in the live profile sends Retry-After in seconds beside the epoch Reset', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ profile: 'live', retryAfter: true, rateLimit: { limit: 1, windowMs: 60_000 }, now: clock.now });
    await rest(sb, 'GET', '/resources/accounts');
    clock.advance(15_000);
    const limited = await rest(sb, 'GET', '/resources/accounts');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('45');
  });

  it('writeCost: a write takes that many units of the allowance, a read one', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ profile: 'live', writeCost: 3, rateLimit: { limit: 10, windowMs: 60_000 }, now: clock.now });
    const write = await rest(sb, 'POST', '/resources/accounts', { externalId: 'w', name: 'W' });
    expect(write.headers['x-ratelimit-remaining']).toBe('7');
    const read = await rest(sb, 'GET', '/resources/accounts/w');
    expect(read.headers['x-ratelimit-remaining']).toBe('6');
    // PUT and DELETE are writes too.
    expect((await rest(sb, 'PUT', '/resources/accounts/w', { traits: { a: 1 } })).headers['x-ratelimit-remaining']).toBe('3');
    expect((await rest(sb, 'DELETE', '/resources/accounts/w')).headers['x-ratelimit-remaining']).toBe('0');
    const refused = await rest(sb, 'POST', '/resources/accounts', { externalId: 'w2', name: 'W2' });
    expect(refused.status).toBe(429);
    expect(sb.store.get('accounts', 'w2')).toBeUndefined();
    expect(sb.stats.maxInWindow).toBe(10);
  });

  it('a write that does not fit is refused while a read still fits', async () => {
    const clock = fakeClock();
    sb = await createSandbox({ writeCost: 2, rateLimit: { limit: 3, windowMs: 60_000 }, now: clock.now });
    expect((await rest(sb, 'POST', '/resources/accounts', { externalId: 'x', name: 'X' })).status).toBe(200);
    expect((await rest(sb, 'POST', '/resources/accounts', { externalId: 'y', name: 'Y' })).status).toBe(429);
    const read = await rest(sb, 'GET', '/resources/accounts');
    expect(read.status).toBe(200);
    expect(read.headers['ratelimit-remaining']).toBe('0');
  });
});
