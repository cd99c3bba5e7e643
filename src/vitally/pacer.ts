/**
 * The pacer: when each request may start. Per run, never at module scope.
 *
 * - Starts are spread evenly: one every 60 s / --rate, or every (window + margin) / limit once the server
 *   has announced its window (RateLimit-Limit `1000, 1000;window=60`), whichever is slower.
 * - At most `concurrency` requests are in flight, and only one until the first answer has told the
 *   limit, so a tight server is not hit by a burst it never announced it could not take.
 * - The pacer keeps a log of its own starts and enforces the sliding window itself: a request starts
 *   only when fewer than `limit` of the log's entries lie within the last window + margin. The margin
 *   (1% of the window, at least 25 ms) absorbs the jitter between a start and its arrival, so the
 *   window is used to about 99% without crossing it. A 429'd request did not count on the server and
 *   leaves the log.
 * - RateLimit-Remaining is compared with what the log predicts. When the server counts more (another
 *   client of the same tenant, or a window that was busy before the run), the difference is entered in
 *   the log as "foreign" entries, which slow the starts down before a 429 happens; they are taken out
 *   again when a later answer shows room. Without a window in the headers, a Remaining at or below the
 *   requests started since pauses the starts until RateLimit-Reset.
 * - After a 429 every start waits as Retry-After (else RateLimit-Reset) says, then resumes at the
 *   announced pace, one interval at a time: no burst. A 429 the log did not foresee widens the margin.
 *   Those headers are read through ratelimit-headers.ts, which cuts any wait to a minute.
 * - Once the run is stopping, waiters that may not be refused (a row's retry or follow-up) still start,
 *   unless their start is more than `stopWaitMs` away: then they are refused too, so a stop is never
 *   held up by a long pause.
 */
import { VitallySyncError } from '../errors.js';
import { MAX_WAIT_MS, parseRateLimit, type HeaderMap } from './ratelimit-headers.js';

/** A request refused because the run is stopping (Ctrl-C, SIGTERM) or over: it was never sent. */
export class InterruptedError extends VitallySyncError {
  constructor(message: string) {
    super('INTERRUPTED', message);
  }
}

export interface PacerOptions {
  /** Requests per minute at most (--rate). */
  ratePerMinute: number;
  /** Requests in flight at most (--concurrency). */
  concurrency: number;
  /** Margin added to an announced window, as a share of it (default 0.01) ... */
  marginShare?: number;
  /** ... and at least this many milliseconds (default 25). */
  minMarginMs?: number;
  /** Once stopping, the longest a waiter is kept waiting for its start (default 2000 ms). */
  stopWaitMs?: number;
  /** The longest pause a server's Retry-After or RateLimit-Reset may impose (default MAX_WAIT_MS, a minute). */
  maxWaitMs?: number;
  now?: () => number;
}

/** One start, handed out by acquire() and given back to release() with the answer. */
export interface Ticket {
  readonly at: number;
}

/** What came back for a request: an HTTP answer (any status) or nothing (a network error). */
export interface Answer {
  status: number;
  headers: HeaderMap;
  /** The wait a 429 asked for (Retry-After), when it named one. */
  retryAfterMs?: number | undefined;
}

interface Entry {
  at: number;
  foreign: boolean;
  gone: boolean;
}

interface Waiter {
  resolve: (t: Ticket) => void;
  reject: (err: unknown) => void;
  stoppable: boolean;
}

/** How long the log keeps entries when the server has announced no window. */
const DEFAULT_HORIZON_MS = 60_000;
/** setTimeout fires at once for longer delays (and warns): no timer is set for more. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Pacer {
  private readonly userIntervalMs: number;
  private readonly marginShare: number;
  private readonly minMarginMs: number;
  private readonly stopWaitMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private nextStart = 0;
  private pausedUntil = 0;
  private inFlight = 0;
  private answered = false;
  private extraMarginMs = 0;
  private log: Entry[] = [];
  private head = 0;
  private readonly waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private stop: AbortSignal | undefined;
  /** What the server announced last. */
  serverLimit: { limit: number; windowMs: number } | undefined;
  /** 429s the pacer had not foreseen (its log said there was room). */
  surprises = 0;

  constructor(private readonly opts: PacerOptions) {
    this.userIntervalMs = 60_000 / opts.ratePerMinute;
    this.marginShare = opts.marginShare ?? 0.01;
    this.minMarginMs = opts.minMarginMs ?? 25;
    this.stopWaitMs = opts.stopWaitMs ?? 2000;
    this.maxWaitMs = opts.maxWaitMs ?? MAX_WAIT_MS;
    this.now = opts.now ?? Date.now;
  }

  /** The spacing between starts now. */
  get currentIntervalMs(): number {
    const s = this.serverLimit;
    return s ? Math.max(this.userIntervalMs, (s.windowMs + this.marginMs()) / s.limit) : this.userIntervalMs;
  }

  /**
   * Wait for a start slot; give the ticket back to release() once the request has its answer (or has
   * failed). A `stoppable` waiter is refused with InterruptedError, unsent, once the stop signal
   * (stopOn) aborts; retries of requests already sent are not stoppable.
   */
  acquire(stoppable = false): Promise<Ticket> {
    if (this.closed) return Promise.reject(new InterruptedError('the run has ended: request not sent'));
    if (stoppable && this.stop?.aborted) return Promise.reject(new InterruptedError('interrupted before it was sent'));
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject, stoppable });
      this.pump();
    });
  }

  /** From the moment `signal` aborts, stoppable waiters are refused. */
  stopOn(signal: AbortSignal): void {
    this.stop = signal;
    signal.addEventListener(
      'abort',
      () => {
        for (let i = this.waiters.length - 1; i >= 0; i--) {
          const w = this.waiters[i]!;
          if (!w.stoppable) continue;
          this.waiters.splice(i, 1);
          w.reject(new InterruptedError('interrupted before it was sent'));
        }
        this.pump();
      },
      { once: true },
    );
  }

  /** Give a start back with what it brought: `answer` is undefined when no HTTP answer came. */
  release(ticket: Ticket, answer?: Answer): void {
    this.inFlight--;
    this.answered = true;
    if (answer) this.observe(ticket as Entry, answer);
    this.pump();
  }

  /** Give a start back unused: the request was not sent after all. */
  cancel(ticket: Ticket): void {
    (ticket as Entry).gone = true;
    this.inFlight--;
    this.pump();
  }

  /** Refuse every waiter and stop the timer (the run is over). */
  close(): void {
    this.closed = true;
    this.clearTimer();
    for (const w of this.waiters.splice(0)) w.reject(new InterruptedError('the run has ended: request not sent'));
  }

  private marginMs(): number {
    const w = this.serverLimit?.windowMs ?? 0;
    return Math.max(this.minMarginMs, w * this.marginShare) + this.extraMarginMs;
  }

  private horizonMs(): number {
    return this.serverLimit ? this.serverLimit.windowMs + this.marginMs() : DEFAULT_HORIZON_MS;
  }

  /** Drop the entries older than the log's horizon (cheaply: a head index, compacted now and then). */
  private prune(now: number): void {
    const cutoff = now - this.horizonMs();
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

  private observe(entry: Entry, a: Answer): void {
    const now = this.now();
    this.prune(now);
    const info = parseRateLimit(a.headers, now, this.maxWaitMs);
    if (info.limit !== undefined && info.windowMs !== undefined) {
      this.serverLimit = { limit: info.limit, windowMs: info.windowMs };
    }
    const s = this.serverLimit;
    if (a.status === 429) {
      // The server did not count it; and its window is full now, whatever the log thought.
      entry.gone = true;
      if (s && this.count(entry.at - s.windowMs, entry.at, () => true) < s.limit - 1) {
        // Unforeseen: the jitter between a start and its arrival is larger than the margin, or another
        // client is busy. Widen the margin a little (to 5% of the window at most, in all).
        this.surprises++;
        const step = Math.max(this.minMarginMs, s.windowMs * 0.005);
        this.extraMarginMs = Math.min(this.extraMarginMs + step, s.windowMs * 0.04);
      }
      const wait = Math.min(a.retryAfterMs ?? info.resetMs ?? 1000, this.maxWaitMs);
      this.pausedUntil = Math.max(this.pausedUntil, now + wait);
      return;
    }
    if (info.remaining === undefined) return;
    if (s && info.limit !== undefined) {
      // What the server counted when this request arrived, against what the log predicts for then.
      const ours = this.count(entry.at - s.windowMs, entry.at, (e) => !e.foreign);
      const foreign = this.count(-Infinity, Infinity, (e) => e.foreign);
      const surplus = s.limit - info.remaining - ours - foreign;
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
    } else if (info.resetMs !== undefined) {
      // No window announced: go by Remaining alone. The requests started after this one use it too.
      const after = this.count(entry.at, Infinity, (e) => !e.foreign);
      if (info.remaining <= after) this.pausedUntil = Math.max(this.pausedUntil, now + info.resetMs);
    }
  }

  /** Earliest time the next start is allowed, not counting concurrency. */
  private earliest(now: number): number {
    let at = Math.max(this.nextStart, this.pausedUntil);
    const s = this.serverLimit;
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

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Start what may start now; `due` is the time the timer that called it was set for. */
  private pump(due?: number): void {
    if (this.closed) return;
    const limit = this.answered ? this.opts.concurrency : 1;
    while (this.waiters.length > 0 && this.inFlight < limit) {
      const now = this.now();
      const at = this.earliest(now);
      if (at > now) {
        if (this.stop?.aborted && at - now > this.stopWaitMs) {
          const wait = Math.ceil((at - now) / 1000);
          for (const w of this.waiters.splice(0))
            w.reject(new InterruptedError(`not sent: the run is stopping, and the rate limit asked to wait ${wait} s more`));
          return;
        }
        if (this.timer && this.timerAt <= at) return;
        this.clearTimer();
        this.timerAt = at;
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.timerAt = Infinity;
            this.pump(at);
          },
          Math.min(Math.ceil(at - now), MAX_TIMER_MS),
        );
        return;
      }
      // Spacing counts from the time this start was due, so a timer that fires late is caught up; a
      // start after idle time (or after waiting for a free slot) counts from now: no burst.
      const slot = due !== undefined ? Math.max(at, Math.min(due, now)) : now;
      due = undefined;
      this.nextStart = slot + this.currentIntervalMs;
      const w = this.waiters.shift()!;
      const entry: Entry = { at: now, foreign: false, gone: false };
      this.log.push(entry);
      this.inFlight++;
      w.resolve(entry);
    }
  }
}
