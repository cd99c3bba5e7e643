/**
 * The pacer against fixed windows as well as sliding ones, with either header family and either meaning
 * of Reset, on a fake clock set to a real date (a Reset given as a Unix time must read as one). A
 * window that is not named (`X-RateLimit-Limit: 100`) is learned from Remaining and Reset.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { simulate, used } from './simulate.js';

afterEach(() => {
  vi.useRealTimers();
});

/** Vitally's 1,000 a minute, on a window ten times shorter so a run crosses several. */
const W = { limit: 100, windowMs: 6000 };
/** Latencies, each with the clock's milliseconds at the start (a Unix-time Reset is in whole seconds). */
const LATENCIES = [
  [0, 0],
  [300, 321],
  [800, 900],
] as const;
/** The live profile's window: fixed, `X-RateLimit-*` with no window named, Reset a Unix time; default pace and ceiling. */
const UNNAMED = { rate: 1000, concurrency: 32, window: W, kind: 'fixed', family: 'x-ratelimit', reset: 'epoch', tasks: 512 } as const;

describe('fixed and sliding windows, named or not', () => {
  it.each([
    ['fixed', 'x-ratelimit', 'epoch'],
    ['fixed', 'x-ratelimit', 'delta'],
    ['fixed', 'ratelimit', 'delta'],
    ['sliding', 'x-ratelimit', 'epoch'],
    ['sliding', 'ratelimit', 'epoch'],
  ] as const)('%s window, %s headers, Reset as %s: never overrun, 429s at most 2 in 100, 95 in 100 of the allowance used', async (kind, family, reset) => {
    for (const [latencyMs, clockMs] of LATENCIES) {
      vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0, clockMs) });
      // The default --rate (1,000 a minute) and ceiling (32); twelve windows.
      const r = await simulate({ rate: 1000, concurrency: 32, window: W, kind, family, reset, latencyMs, requests: 1200, tasks: 512 });
      const requests = r.starts.length;
      expect(r.accepted).toHaveLength(1200);
      expect(r.maxInWindow).toBeLessThanOrEqual(W.limit);
      expect(r.limited / requests).toBeLessThanOrEqual(0.02);
      // What is lost: the 1% margin, one latency for the first answer and one for the last, and with an
      // unnamed window, up to a second of the first window (a Reset is in whole seconds).
      expect(used(r, W)).toBeGreaterThanOrEqual(0.95);
      expect(r.pacer.window).toEqual(W);
      expect(r.pacer.serverLimit).toEqual(family === 'ratelimit' ? W : undefined);
      vi.useRealTimers();
    }
  });

  it('an unnamed window is measured right though the first request was slow to arrive (a connection being set up)', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0, 300) });
    const r = await simulate({ ...UNNAMED, latencyMs: 800, firstDelayMs: 900, requests: 1200 });
    // The first estimate allows for the slow first request (6.4 s + 0.9 s of setup: 7 s); the measure
    // takes the setup off.
    expect(r.events.find((e) => e.what === 'answer')!.windowMs).toBe(7000);
    expect(r.pacer.window).toEqual(W);
    expect(r.limited).toBe(0);
  });

  it('an unnamed window is first estimated from Reset, on the safe side, then measured', async () => {
    // The first request starts at .900 and arrives at 1.300; the window frees at 7.300, and an epoch Reset
    // rounds that up to 8. All the first answer (at 1.700) can tell is a window of at most 8 - 0.900 s:
    // 7 whole seconds.
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0, 900) });
    const r = await simulate({ ...UNNAMED, latencyMs: 800, requests: 150 });
    const answers = r.events.filter((e) => e.what === 'answer');
    expect(answers[0]!.windowMs).toBe(7000);
    // The window starts again at 7.300 (6.4 s into the run): the first answer after that measures it, and
    // the pacer goes by 6 s from then on.
    const measured = answers.findIndex((e) => e.windowMs === 6000);
    expect(answers.slice(0, measured).every((e) => e.windowMs === 7000 && e.t < 6400 + 800)).toBe(true);
    expect(answers[measured]!.t).toBeGreaterThanOrEqual(6400);
    expect(answers.slice(measured).every((e) => e.windowMs === 6000)).toBe(true);
    expect(r.pacer.window).toEqual(W);
    expect(r.limited).toBe(0);
  });

  it('a window opened before the run (its catalogue read, another client) is met with no burst, then learned', async () => {
    // The first answer finds the window already used: it cannot say how long the window is, only what
    // Remaining leaves until Reset, and that is spread evenly.
    for (const prefill of [1, 30]) {
      for (const [latencyMs, clockMs] of LATENCIES) {
        vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0, clockMs) });
        const r = await simulate({
          rate: 1000,
          concurrency: 32,
          window: W,
          kind: 'fixed',
          family: 'x-ratelimit',
          reset: 'epoch',
          latencyMs,
          requests: 1200,
          tasks: 512,
          prefill,
        });
        expect(r.limited).toBe(0);
        expect(r.maxInWindow).toBeLessThanOrEqual(W.limit);
        expect(r.pacer.window).toEqual(W);
        expect(used(r, W)).toBeGreaterThanOrEqual(0.95);
        vi.useRealTimers();
      }
    }
    // A one-second window whose Reset (whole seconds) says little, answers at 20 or 250 ms, and --rate far
    // above the window: what pushed 11 requests into 429s when the unknown window was met at --rate.
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1, 12, 0, 0, 321) });
    const t0 = Date.now();
    const tight = { limit: 40, windowMs: 1000 };
    const latencyMs = (now: number) => (Math.floor((now - t0) / 60) % 2 ? 20 : 250);
    const r = await simulate({
      rate: 100_000,
      concurrency: 32,
      window: tight,
      kind: 'fixed',
      family: 'x-ratelimit',
      reset: 'epoch',
      latencyMs,
      requests: 60,
      tasks: 64,
      prefill: 1,
    });
    expect(r.limited).toBe(0);
    expect(r.maxInWindow).toBeLessThanOrEqual(tight.limit);
    expect(r.pacer.window).toEqual(tight);
  });
});
