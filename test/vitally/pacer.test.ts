/**
 * The pacer against the sandbox's own sliding window (src/sandbox/ratelimit.ts) on a fake clock: the
 * same headers the sandbox and Vitally send, thousands of requests in virtual time, and exact
 * assertions on when each request started (virtual time, never the wall clock).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, Pacer, type Answer } from '../../src/vitally/pacer.js';
import { simulate, used } from './simulate.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Pacer: spacing and concurrency', () => {
  it('spreads starts evenly at --rate when the server announces nothing', async () => {
    const r = await simulate({ rate: 600, concurrency: 4, window: null, requests: 10 });
    expect(r.starts).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  });

  it('keeps at most --concurrency in flight, and one until the first answer', async () => {
    const r = await simulate({ rate: 100_000, concurrency: 3, window: null, latencyMs: 400, requests: 30 });
    expect(r.inFlightBeforeFirstAnswer).toBe(1);
    expect(r.maxInFlight).toBe(3);
    expect(r.starts.slice(0, 4)).toEqual([0, 400, 401, 402]);
  });

  it('does not burst after idle time: the next start is one interval after the last', async () => {
    const pacer = new Pacer({ ratePerMinute: 600, concurrency: 4 });
    const t1 = await pacer.acquire();
    pacer.release(t1);
    await vi.advanceTimersByTimeAsync(5000);
    const times: number[] = [];
    const all = Promise.all(
      [0, 1, 2].map(async () => {
        const t = await pacer.acquire();
        times.push(Date.now());
        pacer.release(t);
      }),
    );
    await vi.runAllTimersAsync();
    await all;
    expect(times).toEqual([5000, 5100, 5200]);
    pacer.close();
  });
});

describe('Pacer: a server window tighter than --rate', () => {
  it.each([
    [{ limit: 20, windowMs: 2000 }, 0, 200],
    [{ limit: 20, windowMs: 2000 }, 150, 200],
    [{ limit: 300, windowMs: 10_000 }, 100, 1000],
    [{ limit: 1000, windowMs: 60_000 }, 250, 2500],
  ])('%j with %i ms latency: no 429, >= 98% of the allowance', async (w, latencyMs, requests) => {
    const r = await simulate({ rate: 100_000, concurrency: 8, window: w, latencyMs, requests });
    expect(r.limited).toBe(0);
    expect(r.maxInWindow).toBeLessThanOrEqual(w.limit);
    expect(r.maxInWindow).toBeGreaterThanOrEqual(0.97 * w.limit);
    expect(used(r, w)).toBeGreaterThanOrEqual(0.98);
    // Evenly spread: after the first answer, no two starts closer than window / limit.
    expect(Math.min(...r.gaps.slice(2))).toBeGreaterThanOrEqual(w.windowMs / w.limit - 1); // timers run in whole ms
  });

  it('follows a limit lowered mid-run: only requests already on their way are refused', async () => {
    const r = await simulate({
      rate: 100_000,
      concurrency: 4,
      window: { limit: 100, windowMs: 1000 },
      latencyMs: 20,
      requests: 300,
      changes: [{ at: 1500, window: { limit: 10, windowMs: 1000 } }],
    });
    expect(r.accepted).toHaveLength(300);
    expect(r.limited).toBeLessThanOrEqual(4);
    // After the change has been seen, 10 a second at most and evenly spread.
    const late = r.starts.filter((t) => t > 3000);
    expect(late.length).toBeGreaterThan(100);
    expect(Math.min(...late.slice(1).map((t, i) => t - late[i]!))).toBeGreaterThanOrEqual(100);
  });
});

describe('Pacer: 429s and what Remaining says', () => {
  it.each([
    ['Retry-After', true],
    ['RateLimit-Reset only', false],
  ])('after a 429 (%s) it waits as told, then resumes at the announced pace without a burst', async (_name, retryAfter) => {
    // Another client filled the window (5 per second) just before the run.
    const w = { limit: 5, windowMs: 1000 };
    const r = await simulate({ rate: 100_000, concurrency: 4, window: w, requests: 20, prefill: 5, retryAfter });
    expect(r.limited).toBe(1);
    expect(r.starts[0]).toBe(0);
    expect(r.starts[1]).toBe(1000); // Reset / Retry-After said 1 s
    expect(Math.min(...r.gaps.slice(1))).toBeGreaterThanOrEqual(200);
    expect(r.accepted).toHaveLength(20);
  });

  it('slows down before a 429 when Remaining shows another client using the window', async () => {
    const w = { limit: 20, windowMs: 2000 };
    // The other client takes a quarter of the allowance, from the start.
    const r = await simulate({ rate: 100_000, concurrency: 4, window: w, latencyMs: 30, requests: 150, foreign: { everyMs: 400 } });
    expect(r.accepted).toHaveLength(150);
    expect(r.limited / 150).toBeLessThanOrEqual(0.05);
    expect(r.foreignLimited).toBeLessThanOrEqual(3);
    // What is left over is still used: at least 90% of the three quarters.
    expect(used(r, w)).toBeGreaterThanOrEqual(0.75 * 0.9);
  });

  it('without a window in the headers, pauses until RateLimit-Reset when Remaining runs out', async () => {
    const w = { limit: 10, windowMs: 1000 };
    const noWindow = (h: Record<string, string>) => ({ ...h, 'ratelimit-limit': h['ratelimit-limit']!.split(',')[0]! });
    const r = await simulate({ rate: 100_000, concurrency: 1, window: w, requests: 30, headers: noWindow });
    expect(r.pacer.serverLimit).toBeUndefined();
    expect(r.accepted).toHaveLength(30);
    expect(r.limited).toBe(0);
  });

  it('a 429 the log did not foresee widens the margin', async () => {
    const pacer = new Pacer({ ratePerMinute: 100_000, concurrency: 1 });
    const headers = { 'ratelimit-limit': '10, 10;window=1', 'ratelimit-remaining': '9', 'ratelimit-reset': '1' };
    pacer.release(await pacer.acquire(), { status: 200, headers });
    const before = pacer.currentIntervalMs;
    expect(before).toBeCloseTo(102.5, 6); // (1000 ms + 25 ms margin) / 10
    const p = pacer.acquire();
    await vi.advanceTimersByTimeAsync(200);
    pacer.release(await p, { status: 429, headers: { ...headers, 'ratelimit-remaining': '0' } });
    expect(pacer.surprises).toBe(1);
    expect(pacer.currentIntervalMs).toBeGreaterThan(before);
    pacer.close();
  });
});

describe('Pacer: stopping', () => {
  it('refuses the stoppable waiters once the stop signal aborts, unsent; retries and those in flight go on', async () => {
    const pacer = new Pacer({ ratePerMinute: 60, concurrency: 4 });
    const stop = new AbortController();
    pacer.stopOn(stop.signal);
    const first = await pacer.acquire(true);
    const waiting = [pacer.acquire(true), pacer.acquire(true)];
    const retry = pacer.acquire(false); // a retry of a request already sent: not stoppable
    stop.abort();
    for (const w of waiting) await expect(w).rejects.toBeInstanceOf(InterruptedError);
    await expect(pacer.acquire(true)).rejects.toThrow('interrupted before it was sent');
    pacer.release(first);
    await vi.advanceTimersByTimeAsync(1000);
    const t = await retry;
    expect(Date.now()).toBe(1000);
    pacer.release(t);
    pacer.close();
    await expect(pacer.acquire()).rejects.toBeInstanceOf(InterruptedError);
  });
});

describe('Pacer: absurd waits', () => {
  const waitsFor = async (pacer: Pacer, answer: Answer) => {
    pacer.release(await pacer.acquire(), answer);
    let started = -1;
    const next = pacer.acquire().then((t) => {
      started = Date.now();
      return t;
    });
    return { started: () => started, next };
  };

  it.each([
    ['a 200 with Remaining 0 and a Reset in the year 2286', { status: 200, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '10000000000' } }],
    ['a 200 with Remaining 0 and a Reset of 86000 s', { status: 200, headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': '86000' } }],
    ['a 429 with Retry-After of 31 years', { status: 429, headers: {}, retryAfterMs: 999_999_999_000 }],
  ] as const)('%s pauses the starts for a minute at most, on one timer (no spin)', async (_name, answer) => {
    const pacer = new Pacer({ ratePerMinute: 100_000, concurrency: 1 });
    const w = await waitsFor(pacer, answer as Answer);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(w.started()).toBe(-1);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(w.started()).toBe(60_000);
    pacer.release(await w.next);
    pacer.close();
  });

  it('a smaller maxWaitMs cuts the pause to it', async () => {
    const pacer = new Pacer({ ratePerMinute: 100_000, concurrency: 1, maxWaitMs: 50 });
    const w = await waitsFor(pacer, { status: 429, headers: { 'retry-after': '3600' }, retryAfterMs: 3_600_000 });
    await vi.advanceTimersByTimeAsync(50);
    expect(w.started()).toBe(50);
    pacer.close();
  });

  it('once stopping, a retry whose start is more than stopWaitMs away is refused, unsent, instead of waiting', async () => {
    const pacer = new Pacer({ ratePerMinute: 100_000, concurrency: 2 });
    const stop = new AbortController();
    pacer.stopOn(stop.signal);
    pacer.release(await pacer.acquire(true), { status: 429, headers: {}, retryAfterMs: 60_000 });
    const retry = pacer.acquire(false);
    await vi.advanceTimersByTimeAsync(1000);
    stop.abort();
    await expect(retry).rejects.toThrow('not sent: the run is stopping, and the rate limit asked to wait 59 s more');
    expect(Date.now()).toBe(1000);
    pacer.close();
  });
});
