/**
 * The number of requests in flight, decided from what is measured: the pacer against the sandbox's
 * window on a fake clock (simulate.ts), and the decisions of InFlight on given answers. Every figure is
 * a count or virtual time; nothing waits for the wall clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InFlight, type Answered } from '../../src/vitally/inflight.js';
import { simulate, used } from './simulate.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const VITALLY = { limit: 1000, windowMs: 60_000 };
/** The spacing the pacer keeps under Vitally's window: (60 s + 1% margin) / 1000. */
const SPACING = 60.6;

describe('in flight: rate x latency, up to the ceiling', () => {
  it.each([0, 100, 300, 800])('at %i ms latency: as many in flight as the pace needs, no 429, the allowance used', async (latencyMs) => {
    const r = await simulate({ rate: 100_000, concurrency: 32, window: VITALLY, latencyMs, requests: 1000, tasks: 512 });
    expect(r.limited).toBe(0);
    expect(r.maxInWindow).toBeLessThanOrEqual(VITALLY.limit);
    // Little's law: latency / spacing in flight, and not more than 2 beyond what that needs.
    expect(r.maxInFlight).toBeGreaterThanOrEqual(Math.floor(latencyMs / SPACING));
    expect(r.maxInFlight).toBeLessThanOrEqual(Math.ceil(latencyMs / SPACING) + 2);
    // It loses only the 1% margin, the time one request waits for the first answer, and the last
    // answer's latency (at 800 ms: 60 s of starts against 61.6 s, 96.6% at best).
    expect(used(r, VITALLY)).toBeGreaterThanOrEqual(0.96);
  });

  it('at 3 s latency it reaches the ceiling (--concurrency) and stays there', async () => {
    const r = await simulate({ rate: 100_000, concurrency: 32, window: VITALLY, latencyMs: 3000, requests: 400, tasks: 512 });
    expect(r.maxInFlight).toBe(32);
    expect(r.pacer.limit).toBe(32);
    expect(r.limited).toBe(0);
  });

  it('a lower --concurrency is the ceiling', async () => {
    const r = await simulate({ rate: 100_000, concurrency: 8, window: VITALLY, latencyMs: 800, requests: 200, tasks: 512 });
    expect(r.maxInFlight).toBe(8);
    expect(Math.max(...r.events.map((e) => e.limit))).toBe(8);
  });

  it('follows the latency as it changes: up, then down, without 429s', async () => {
    const latencyMs = (t: number) => (t < 20_000 ? 100 : t < 50_000 ? 800 : 300);
    const r = await simulate({ rate: 100_000, concurrency: 32, window: VITALLY, latencyMs, requests: 1300, tasks: 512 });
    const limitAt = (from: number, to: number) => r.events.filter((e) => e.t >= from && e.t < to).map((e) => e.limit);
    expect(Math.max(...limitAt(5_000, 20_000))).toBeLessThanOrEqual(Math.ceil(100 / SPACING) + 3);
    expect(Math.min(...limitAt(40_000, 50_000))).toBeGreaterThanOrEqual(Math.ceil(800 / SPACING));
    expect(Math.max(...limitAt(70_000, 80_000))).toBeLessThanOrEqual(Math.ceil(300 / SPACING) + 4);
    expect(r.limited).toBe(0);
  });
});

describe('in flight: it shrinks on trouble', () => {
  it('on 429s: cut to three quarters, once per round', async () => {
    // The server's limit drops to a tenth while 16 requests are in flight at 800 ms.
    const r = await simulate({
      rate: 100_000,
      concurrency: 32,
      window: VITALLY,
      latencyMs: 800,
      requests: 600,
      tasks: 512,
      changes: [{ at: 20_000, window: { limit: 100, windowMs: 60_000 } }],
    });
    const first429 = r.events.findIndex((e) => e.what === 'answer' && e.status === 429);
    expect(first429).toBeGreaterThan(0);
    const before = r.events[first429 - 1]!.limit;
    expect(r.events[first429]!.limit).toBe(Math.floor(before * 0.75));
    // A round: the answers to requests already in flight do not cut it again.
    const inFlightThen = r.events[first429 - 1]!.inFlight;
    const round = r.events.slice(first429, first429 + inFlightThen).filter((e) => e.what === 'answer');
    expect(new Set(round.map((e) => e.limit)).size).toBeLessThanOrEqual(2);
    expect(r.limited).toBeLessThanOrEqual(inFlightThen + 1);
  });

  it('on a 5xx storm: halved each round down to one, never grown while it lasts, grown back after', async () => {
    const storm = (t: number) => (t >= 20_000 && t < 40_000 ? 503 : undefined);
    // Retries wait as the sender's do: 250 ms, doubling, at most 8 s (the jitter taken at its middle).
    const backoffMs = (attempt: number) => Math.min(8000, 250 * 2 ** (attempt - 1));
    const r = await simulate({
      rate: 100_000,
      concurrency: 32,
      window: VITALLY,
      latencyMs: 800,
      requests: 1000,
      tasks: 512,
      fail: storm,
      retriesFirst: true,
      backoffMs,
    });
    const during = r.events.filter((e) => e.t >= 21_000 && e.t < 40_000);
    const limits = during.map((e) => e.limit);
    expect(limits.every((l, i) => i === 0 || l <= limits[i - 1]!)).toBe(true);
    expect(Math.min(...limits)).toBe(1);
    // Never more in flight than before the storm: the retries of the requests it caught (a retry does
    // not wait for a slot: it finds out sooner whether the server is back) and one new row at a time.
    const inFlight = (from: number, to: number) => Math.max(...r.events.filter((e) => e.t >= from && e.t < to).map((e) => e.inFlight));
    expect(inFlight(21_000, 40_000)).toBeLessThanOrEqual(inFlight(10_000, 20_000));
    const firstAttempts = r.events.filter((e) => e.what === 'start' && !e.retry && e.t >= 25_000 && e.t < 40_000).length;
    expect(firstAttempts).toBeLessThanOrEqual(15_000 / 800 + 2);
    expect(Math.max(...r.events.filter((e) => e.t >= 50_000).map((e) => e.limit))).toBeGreaterThanOrEqual(Math.ceil(800 / SPACING));
    expect(r.accepted).toHaveLength(1000);
  });

  it('on rising latency: it stops growing while the latency climbs, then follows it once it holds', async () => {
    // 300 ms, then the server slows down fast: doubling every second, to 2.4 s.
    const latencyMs = (t: number) => (t < 20_000 ? 300 : Math.min(2400, 300 * 2 ** ((t - 20_000) / 1000)));
    const r = await simulate({ rate: 100_000, concurrency: 32, window: VITALLY, latencyMs, requests: 700, tasks: 512 });
    const limitAt = (from: number, to: number) => r.events.filter((e) => e.t >= from && e.t < to).map((e) => e.limit);
    // By Little's law alone it would follow the latency: 1.2 s at 22 s and 2.4 s at 23 s call for 22 and 32.
    const early = Math.max(...limitAt(20_000, 22_000));
    expect(early).toBeLessThanOrEqual(Math.ceil(600 / SPACING) + 2);
    expect(Math.max(...limitAt(22_000, 24_000))).toBeLessThanOrEqual(early);
    // Once 2.4 s is the normal latency, Little's law sizes the limit for it (within the ceiling).
    expect(r.pacer.limit).toBe(32);
    expect(r.limited).toBe(0);
  });

  it('on rising latency: the room kept for a jittery latency is given up', async () => {
    // 100 to 500 ms, spread evenly, then 2 s.
    const latencyMs = (t: number) => (t < 20_000 ? 100 + ((Math.floor(t) * 7919) % 401) : 2000);
    const r = await simulate({ rate: 100_000, concurrency: 32, window: VITALLY, latencyMs, requests: 600, tasks: 512 });
    // The first answers at 2 s come at 22 s.
    const before = r.events.filter((e) => e.t < 22_000).at(-1)!.limit;
    expect(before).toBeGreaterThan(Math.ceil(300 / SPACING) + 2);
    const rising = r.events.filter((e) => e.t >= 22_000 && e.t < 24_000).map((e) => e.limit);
    expect(Math.max(...rising)).toBeLessThanOrEqual(before);
    expect(Math.min(...rising)).toBeLessThan(before);
    expect(r.limited).toBe(0);
  });
});

describe('InFlight decisions', () => {
  const ok = (seq: number, latencyMs: number, over: Partial<Answered> = {}): Answered => ({
    seq,
    lastSeq: seq + 4,
    latencyMs,
    kind: 'ok',
    perMs: 1 / SPACING,
    held: true,
    ...over,
  });

  it('sizes the limit from the first answer: ceil(rate x latency) + 2', () => {
    const f = new InFlight(32);
    f.answer(ok(1, 800));
    expect(f.limit).toBe(Math.ceil(800 / SPACING) + 2);
  });

  it('grows only while requests wait with every slot taken, and comes down when the latency falls', () => {
    const f = new InFlight(32);
    f.answer(ok(1, 100));
    const sized = f.limit;
    for (let i = 2; i < 40; i++) f.answer(ok(i, 800, { held: false }));
    expect(f.limit).toBe(sized);
    for (let i = 40; i < 80; i++) f.answer(ok(i, 800));
    expect(f.limit).toBe(f.target(1 / SPACING));
    for (let i = 80; i < 200; i++) f.answer(ok(i, 100, { held: false }));
    expect(f.limit).toBe(f.target(1 / SPACING));
    expect(f.limit).toBeLessThanOrEqual(Math.ceil(100 / SPACING) + 3);
  });

  it('a 5xx now and then stops growth for a round; two in a row halve the limit, once per round', () => {
    const f = new InFlight(32);
    f.answer(ok(1, 800));
    const sized = f.limit;
    f.answer(ok(2, 800, { kind: 'failed', lastSeq: 20 }));
    expect(f.limit).toBe(sized);
    f.answer(ok(3, 800, { lastSeq: 20 }));
    expect(f.limit).toBe(sized);
    f.answer(ok(10, 800, { kind: 'failed', lastSeq: 20 }));
    f.answer(ok(11, 800, { kind: 'failed', lastSeq: 21 }));
    const cut = f.limit;
    expect(cut).toBe(Math.floor(sized / 2));
    // The answers to requests that were in flight then neither cut again nor grow it.
    for (let seq = 12; seq <= 21; seq++) f.answer(ok(seq, 800, { kind: seq % 3 ? 'failed' : 'ok', lastSeq: 21 }));
    expect(f.limit).toBe(cut);
    f.answer(ok(22, 800, { lastSeq: 30 }));
    expect(f.limit).toBe(cut + 1);
  });
});
