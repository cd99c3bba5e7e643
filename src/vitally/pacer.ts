/**
 * The pacer: request starts spread evenly at the allowed rate, at most `concurrency` in flight, and
 * adapted to what the server announces. Per run, never at module scope.
 *
 * - The interval between starts is the larger of 60 s / --rate and window / limit from RateLimit-Limit
 *   (times a small safety margin, so a sliding window is used close to its full allowance without
 *   crossing it).
 * - When RateLimit-Remaining says the window will be full once the requests in flight land, starts pause
 *   until RateLimit-Reset has passed.
 * - After a 429 every start pauses for the hinted time; afterwards the pace is the announced one, so the
 *   queue does not burst again.
 */
import { parseRateLimit } from './ratelimit-headers.js';

export interface PacerOptions {
  /** Requests per minute at most (--rate). */
  ratePerMinute: number;
  /** Requests in flight at most (--concurrency). */
  concurrency: number;
  /** Interval margin over the announced window (1.02 = 98% of the allowance). */
  safety?: number;
  now?: () => number;
}

export class Pacer {
  private readonly userIntervalMs: number;
  private intervalMs: number;
  private nextStart = 0;
  private pausedUntil = 0;
  private inFlight = 0;
  private readonly waiters: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly safety: number;
  private readonly now: () => number;
  /** What the server announced last, for the summary and the progress bar. */
  serverLimit: { limit: number; windowMs: number } | undefined;

  constructor(private readonly opts: PacerOptions) {
    this.userIntervalMs = 60_000 / opts.ratePerMinute;
    this.intervalMs = this.userIntervalMs;
    this.safety = opts.safety ?? 1.02;
    this.now = opts.now ?? Date.now;
  }

  get currentIntervalMs(): number {
    return this.intervalMs;
  }

  /** Wait for a start slot; call release() when the request has its answer. */
  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.pump();
    });
  }

  release(): void {
    this.inFlight--;
    this.pump();
  }

  /** Feed every answer's headers (and status) back. */
  observe(headers: Record<string, string | string[] | undefined>, status: number, hintedWaitMs?: number): void {
    const info = parseRateLimit(headers);
    const now = this.now();
    if (info.limit && info.limit > 0 && info.windowMs && info.windowMs > 0) {
      this.serverLimit = { limit: info.limit, windowMs: info.windowMs };
      this.intervalMs = Math.max(this.userIntervalMs, (info.windowMs / info.limit) * this.safety);
    }
    if (status === 429) {
      const wait = hintedWaitMs ?? info.resetMs ?? this.intervalMs * 4;
      this.pausedUntil = Math.max(this.pausedUntil, now + wait);
    } else if (info.remaining !== undefined && info.resetMs !== undefined) {
      // The requests already in flight will use some of what remains.
      if (info.remaining - Math.max(0, this.inFlight - 1) <= 0) {
        this.pausedUntil = Math.max(this.pausedUntil, now + info.resetMs);
      }
    }
    this.pump();
  }

  /** Stop the timer and let every waiter go (used when a run ends early). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w();
  }

  private pump(): void {
    if (this.timer) return;
    while (this.waiters.length > 0 && this.inFlight < this.opts.concurrency) {
      const now = this.now();
      const at = Math.max(this.nextStart, this.pausedUntil);
      if (at > now) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, at - now);
        return;
      }
      // After idle time the next start is one interval from now: no catch-up burst.
      this.nextStart = Math.max(this.nextStart, now - this.intervalMs) + this.intervalMs;
      this.inFlight++;
      this.waiters.shift()!();
    }
  }
}
