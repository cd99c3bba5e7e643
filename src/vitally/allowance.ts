/**
 * What the server allows, and when the next request may start: the pacer's timing. Per run.
 *
 * - Starts are spread evenly: one every 60 s / --rate, or every (window + margin) / limit once the window
 *   is known, whichever is slower. Even spacing at that pace never puts more than `limit` requests in
 *   any stretch of one window, so it is safe against a sliding window and a fixed one alike: a fixed
 *   window ("resets 60 s after the first request") counts a subset of what a sliding one counts.
 * - The window is known when the server names it (RateLimit-Limit `1000, 1000;window=60`, or
 *   RateLimit-Policy). When it only gives a limit (`X-RateLimit-Limit: 1000`), the window is learned:
 *   the answer that finds the window empty (Remaining = limit - 1) gives a first estimate from its Reset,
 *   rounded to whole seconds on the safe side; the first later answer whose Remaining did not drop (a
 *   request left a sliding window, or a fixed window started again) then gives the window's length
 *   to within one spacing of requests (less the time the opening request took beyond the later one: a
 *   first connection is set up before the request arrives). A Reset is in whole seconds, so the first
 *   estimate can be a second long; the second is not.
 * - A log of the run's own starts enforces the window itself: a request starts only when fewer than
 *   `limit` of the log's entries lie within the last window + margin. The margin (1% of the window, at
 *   least 25 ms) absorbs the jitter between a start and its arrival. A 429'd request did not count on
 *   the server and leaves the log.
 * - Remaining is compared with what the log predicts. When the server counts more (another client of the
 *   same tenant, or a window that was busy before the run), the difference is entered in the log as
 *   "foreign" entries, which slow the starts down before a 429 happens; they are taken out again when a
 *   later answer shows room. With no window known, a Remaining at or below the requests started since
 *   pauses the starts until Reset, and what it leaves is spread evenly until Reset.
 * - After a 429 every start waits as Retry-After (else Reset) says, then resumes at the pace, one
 *   interval at a time: no burst. A 429 the log did not foresee widens the margin. Those headers are read
 *   through ratelimit-headers.ts, which cuts any wait to a minute.
 */
import { parseRateLimit, type HeaderMap } from './ratelimit-headers.js';

/** What came back for a request: an HTTP answer (any status). */
export interface Answer {
  status: number;
  headers: HeaderMap;
  /** The wait a 429 asked for (Retry-After), when it named one. */
  retryAfterMs?: number | undefined;
}

/** One start in the log. */
export interface Entry {
  at: number;
  foreign: boolean;
  gone: boolean;
}

export interface Window {
  limit: number;
  windowMs: number;
}

export interface AllowanceOptions {
  ratePerMinute: number;
  marginShare: number;
  minMarginMs: number;
  maxWaitMs: number;
}

/** How long the log keeps entries when no window is known. */
const DEFAULT_HORIZON_MS = 60_000;
/** The log keeps entries this much longer at most, for slow answers. */
const MAX_KEEP_MS = 60_000;

export class Allowance {
  private readonly userIntervalMs: number;
  private nextStart = 0;
  private extraMarginMs = 0;
  private log: Entry[] = [];
  private head = 0;
  /** Learning a window the server does not name: its first estimate, then its measure. */
  private learning: { openedAt: number; openedRtt: number; lastAt: number; lastRemaining: number; measured: boolean } | undefined;
  private learnedMs: number | undefined;
  private lastLimit: number | undefined;
  /** The longest a request of the run waited for its answer (the log keeps that much more). */
  private slowestMs = 0;
  /** With no window known, the spacing that spreads what Remaining leaves until Reset. */
  private untilResetMs = 0;
  /** No start before this (a 429's wait, or Remaining used up with no window known). */
  pausedUntil = 0;
  /** The window the server named last. */
  serverLimit: Window | undefined;
  /** 429s the log had not foreseen. */
  surprises = 0;

  constructor(private readonly opts: AllowanceOptions) {
    this.userIntervalMs = 60_000 / opts.ratePerMinute;
  }

  /** The window in force: named by the server, else learned from its answers. */
  get window(): Window | undefined {
    if (this.serverLimit) return this.serverLimit;
    return this.learnedMs !== undefined && this.lastLimit !== undefined ? { limit: this.lastLimit, windowMs: this.learnedMs } : undefined;
  }

  /** The spacing between starts now. */
  get intervalMs(): number {
    const s = this.window;
    return Math.max(this.userIntervalMs, s ? (s.windowMs + this.marginMs()) / s.limit : this.untilResetMs);
  }

  /** Log a start at `now`; `due` is when it was due, when a timer that fired late started it. */
  start(now: number, due: number | undefined): Entry {
    // Spacing counts from the time this start was due, so a timer that fires late is caught up; a start
    // after idle time (or after waiting for a free slot) counts from now: no burst.
    const slot = due !== undefined ? Math.max(this.earliest(now), Math.min(due, now)) : now;
    this.nextStart = slot + this.intervalMs;
    const entry: Entry = { at: now, foreign: false, gone: false };
    this.log.push(entry);
    return entry;
  }

  private marginMs(): number {
    const w = this.window?.windowMs ?? 0;
    return Math.max(this.opts.minMarginMs, w * this.opts.marginShare) + this.extraMarginMs;
  }

  private horizonMs(): number {
    const s = this.window;
    return s ? s.windowMs + this.marginMs() : DEFAULT_HORIZON_MS;
  }

  /**
   * Drop the entries older than the log's horizon, and the longest a request took to be answered: an
   * answer is compared with the window as it was when its request arrived. Cheaply: a head index,
   * compacted now and then.
   */
  private prune(now: number): void {
    const cutoff = now - this.horizonMs() - this.slowestMs;
    while (this.head < this.log.length && this.log[this.head]!.at <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.log.length) {
      this.log = this.log.slice(this.head);
      this.head = 0;
    }
  }

  /** Count the live entries, newest first, with `at` in (since, until] that match. */
  private count(since: number, until: number, match: (e: Entry) => boolean): number {
    let n = 0;
    for (let i = this.log.length - 1; i >= this.head; i--) {
      const e = this.log[i]!;
      if (e.at <= since) break;
      if (e.at <= until && !e.gone && match(e)) n++;
    }
    return n;
  }

  /** Read an answer to the request logged as `entry`. */
  observe(entry: Entry, a: Answer, now: number): void {
    this.slowestMs = Math.min(Math.max(this.slowestMs, now - entry.at), MAX_KEEP_MS);
    this.prune(now);
    const info = parseRateLimit(a.headers, now, this.opts.maxWaitMs);
    if (info.limit !== undefined && info.windowMs !== undefined) {
      this.serverLimit = { limit: info.limit, windowMs: info.windowMs };
    }
    if (info.limit !== undefined) this.lastLimit = info.limit;
    const s = this.window;
    if (a.status === 429) {
      // The server did not count it; and its window is full now, whatever the log thought.
      entry.gone = true;
      if (s && this.count(entry.at - s.windowMs, entry.at, () => true) < s.limit - 1) {
        // Unforeseen: the jitter between a start and its arrival is larger than the margin, or another
        // client is busy. Widen the margin a little (to 5% of the window at most, in all).
        this.surprises++;
        const step = Math.max(this.opts.minMarginMs, s.windowMs * 0.005);
        this.extraMarginMs = Math.min(this.extraMarginMs + step, s.windowMs * 0.04);
      }
      const wait = Math.min(a.retryAfterMs ?? info.resetMs ?? 1000, this.opts.maxWaitMs);
      this.pausedUntil = Math.max(this.pausedUntil, now + wait);
      return;
    }
    if (info.remaining === undefined) return;
    if (!this.serverLimit && info.limit !== undefined) this.learn(entry, info.limit, info.remaining, info.resetMs, now);
    if (s && info.limit !== undefined) this.countForeign(entry, info.remaining, s, now);
    else if (info.resetMs !== undefined) {
      // No window known: go by Remaining alone. The requests started after this one use it too; what is
      // left is spread until Reset, so a window someone else opened (the run's own catalogue read, another
      // client) is not met with a burst.
      const left = info.remaining - this.count(entry.at, Infinity, (e) => !e.foreign);
      if (left <= 0) this.pausedUntil = Math.max(this.pausedUntil, now + info.resetMs);
      else this.untilResetMs = info.resetMs / left;
    }
  }

  /** What the server counted when this request arrived, against what the log predicts for then. */
  private countForeign(entry: Entry, remaining: number, s: Window, now: number): void {
    const ours = this.count(entry.at - s.windowMs, entry.at, (e) => !e.foreign);
    const foreign = this.count(now - this.horizonMs(), Infinity, (e) => e.foreign);
    const surplus = s.limit - remaining - ours - foreign;
    if (surplus >= 2) {
      for (let i = 0; i < surplus; i++) this.log.push({ at: now, foreign: true, gone: false });
    } else if (surplus < 0 && foreign > 0) {
      let free = Math.min(-surplus, foreign);
      for (let i = this.log.length - 1; i >= this.head && free > 0; i--) {
        const e = this.log[i]!;
        if (e.foreign && !e.gone) {
          e.gone = true;
          free--;
        }
      }
    }
  }

  /**
   * Learn the length of a window the server does not name. Answers are taken in the order their
   * requests started (a later answer to an earlier request is skipped).
   */
  private learn(entry: Entry, limit: number, remaining: number, resetMs: number | undefined, now: number): void {
    const l = this.learning;
    if (!l) {
      if (remaining !== limit - 1 || resetMs === undefined) return;
      // This request found the window empty: the window frees `window` after it arrived, and Reset (whole
      // seconds, rounded up by the server) says when. Its arrival lies between its start and now, so the
      // window is at most Reset + the time since the start; windows are whole seconds.
      this.learnedMs = Math.max(1000, Math.floor((resetMs + now - entry.at) / 1000) * 1000);
      this.learning = { openedAt: entry.at, openedRtt: now - entry.at, lastAt: entry.at, lastRemaining: remaining, measured: false };
      return;
    }
    if (l.measured || entry.at <= l.lastAt) return;
    if (remaining >= l.lastRemaining) {
      // Room came back between the last request and this one: the request that opened the window left
      // it (sliding), or the window started again (fixed). The window ends between their arrivals. Their
      // starts stand for their arrivals, except that the time the opening request took beyond this one
      // (often a first connection being set up) went by before it arrived. Whole seconds are preferred
      // when one lies there; never more than the first estimate, which is an upper bound.
      const late = Math.max(0, l.openedRtt - (now - entry.at));
      const lo = l.lastAt - l.openedAt - late;
      const hi = entry.at - l.openedAt - late;
      const whole = Math.floor(hi / 1000) * 1000;
      this.learnedMs = Math.max(1000, Math.min(this.learnedMs ?? Infinity, whole > lo ? whole : hi));
      l.measured = true;
      return;
    }
    l.lastAt = entry.at;
    l.lastRemaining = remaining;
  }

  /** Earliest time the next start is allowed, not counting what is in flight. */
  earliest(now: number): number {
    let at = Math.max(this.nextStart, this.pausedUntil);
    const s = this.window;
    if (s) this.prune(now);
    if (s && this.log.length - this.head >= s.limit) {
      // The limit-th most recent entry must have left the window (plus margin) first.
      let n = 0;
      for (let i = this.log.length - 1; i >= this.head; i--) {
        const e = this.log[i]!;
        if (e.gone) continue;
        if (++n === s.limit) {
          at = Math.max(at, e.at + s.windowMs + this.marginMs());
          break;
        }
      }
    }
    return at;
  }
}
