/**
 * Drive requests through a Pacer against the sandbox's own rate window (src/sandbox/ratelimit.ts) on
 * vitest's fake clock: the same headers the sandbox and Vitally send, thousands of requests in virtual
 * time, and a record of when each started and what the pacer allowed (virtual time, never the wall
 * clock). The caller installs the fake timers.
 */
import { vi } from 'vitest';
import type { RateLimitOptions } from '../../src/sandbox/index.js';
import { RateWindow, type RateWindowConfig } from '../../src/sandbox/ratelimit.js';
import { Pacer, type Answer } from '../../src/vitally/pacer.js';

const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));

export interface SimOptions {
  rate: number;
  concurrency: number;
  /** The server's window; null = no rate-limit headers at all. */
  window: RateLimitOptions | null;
  /** The window's kind, header family and Reset meaning (default sliding, RateLimit-*, a delta). */
  kind?: RateWindowConfig['window'];
  family?: RateWindowConfig['headers'];
  reset?: RateWindowConfig['reset'];
  /** Round-trip time, fixed or as a function of the virtual time at the start; the server counts the request halfway. */
  latencyMs?: number | ((now: number) => number);
  requests: number;
  /** Row tasks waiting at once (the run's ordered window). */
  tasks?: number;
  retryAfter?: boolean;
  /** Rewrite the headers (e.g. drop the window). */
  headers?: (h: Record<string, string>) => Record<string, string>;
  /** Another client of the same tenant: one request every `everyMs` from `from` on. */
  foreign?: { everyMs: number; from?: number };
  /** Requests another client made just before the run (they fill the window). */
  prefill?: number;
  /** Change the server's window at a virtual time. */
  changes?: Array<{ at: number; window: RateLimitOptions }>;
  /** The server fails the request it counts at this virtual time with this status (a 5xx storm). */
  fail?: (now: number) => number | undefined;
  /** Retries ask the pacer as retries (as the sender does); by default every attempt asks as a first one. */
  retriesFirst?: boolean;
  /** The wait before attempt n + 1 after a 5xx (default none). */
  backoffMs?: (attempt: number) => number;
  /** The run's first request takes this much longer to reach the server (a connection being set up). */
  firstDelayMs?: number;
}

export interface SimEvent {
  t: number;
  what: 'start' | 'answer';
  status?: number;
  inFlight: number;
  /** The pacer's limit after the event. */
  limit: number;
  /** The window the pacer goes by after the event. */
  windowMs: number | undefined;
  /** A start of a request's second or later attempt. */
  retry?: boolean;
}

/** Drive `requests` requests through a pacer against a simulated sandbox window; returns what happened. */
export async function simulate(o: SimOptions) {
  let cfg = o.window ?? { limit: 1e9, windowMs: 1000 };
  const win = new RateWindow(
    () => ({ ...cfg, window: o.kind ?? 'sliding', headers: o.family ?? 'ratelimit', reset: o.reset ?? 'delta' }),
    () => Date.now(),
  );
  const pacer = new Pacer({ ratePerMinute: o.rate, concurrency: o.concurrency });
  const t0 = Date.now();
  const starts: number[] = [];
  const accepted: number[] = [];
  const events: SimEvent[] = [];
  let limited = 0;
  let failed = 0;
  let foreignLimited = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let inFlightBeforeFirstAnswer = 0;
  let answered = false;
  const latency = (now: number) => (typeof o.latencyMs === 'function' ? o.latencyMs(now - t0) : (o.latencyMs ?? 0));
  const serve = (): Answer => {
    const d = win.take();
    let headers = lower(d.headers);
    if (!d.allowed && o.retryAfter) headers['retry-after'] = String(Math.max(1, d.resetSeconds));
    if (o.headers) headers = o.headers(headers);
    if (!o.window) headers = {};
    const status = d.allowed ? (o.fail?.(Date.now() - t0) ?? 200) : 429;
    return { status, headers, retryAfterMs: headers['retry-after'] ? Number(headers['retry-after']) * 1000 : undefined };
  };
  for (let i = 0; i < (o.prefill ?? 0); i++) win.take();
  for (const c of o.changes ?? []) setTimeout(() => (cfg = c.window), c.at);
  let next = 0;
  const task = async () => {
    while (next < o.requests) {
      next++;
      for (let attempt = 1; ; attempt++) {
        const ticket = await pacer.acquire(false, o.retriesFirst && attempt > 1 ? 'retry' : 'first');
        starts.push(Date.now() - t0);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (!answered) inFlightBeforeFirstAnswer = Math.max(inFlightBeforeFirstAnswer, inFlight);
        events.push({ t: Date.now() - t0, what: 'start', inFlight, limit: pacer.limit, windowMs: pacer.window?.windowMs, retry: attempt > 1 });
        const cold = starts.length === 1 ? (o.firstDelayMs ?? 0) : 0;
        const rtt = latency(Date.now());
        await new Promise((r) => setTimeout(r, cold + rtt / 2));
        const a = serve();
        await new Promise((r) => setTimeout(r, rtt / 2));
        inFlight--;
        answered = true;
        pacer.release(ticket, a);
        events.push({ t: Date.now() - t0, what: 'answer', status: a.status, inFlight, limit: pacer.limit, windowMs: pacer.window?.windowMs });
        if (a.status === 200) {
          accepted.push(Date.now() - t0);
          break;
        }
        if (a.status === 429) limited++;
        else {
          failed++;
          const wait = o.backoffMs?.(attempt) ?? 0;
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
    }
  };
  let done = false;
  let foreignTimer: NodeJS.Timeout | undefined;
  if (o.foreign) {
    const f = o.foreign;
    const tick = () => {
      if (done) return;
      if (!win.take().allowed) foreignLimited++;
      foreignTimer = setTimeout(tick, f.everyMs);
    };
    foreignTimer = setTimeout(tick, f.from ?? 0);
  }
  const all = Promise.all(Array.from({ length: o.tasks ?? 64 }, task)).then(() => {
    done = true;
    clearTimeout(foreignTimer);
  });
  await vi.runAllTimersAsync();
  await all;
  pacer.close();
  const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
  return {
    starts,
    gaps,
    accepted,
    events,
    limited,
    failed,
    foreignLimited,
    maxInWindow: win.maxInWindow,
    maxInFlight,
    inFlightBeforeFirstAnswer,
    elapsed: accepted.at(-1)! - starts[0]!,
    pacer,
  };
}

/** Share of the window's allowance used between the first start and the last answer. */
export const used = (r: { accepted: number[]; elapsed: number }, w: RateLimitOptions) => r.accepted.length / ((w.limit * r.elapsed) / w.windowMs);
