/**
 * The rate limiter, in the two shapes Vitally is described with:
 *   - sliding (its docs): a request leaves the window windowMs after it was made;
 *   - fixed (production clients: "resets 60 seconds after the first request"): the window opens with the
 *     first request after it last emptied and empties windowMs later, whatever came in between.
 * and with either header family:
 *   RateLimit-Limit: 1000, 1000;window=60   X-RateLimit-Limit: 1000
 *   RateLimit-Remaining: 999                X-RateLimit-Remaining: 999
 *   RateLimit-Reset: 59                     X-RateLimit-Reset: 1767225660
 * where Reset is either a delta (seconds until the window frees: for a sliding window, until its earliest
 * request leaves it; 0 when empty) or the Unix time in seconds when that happens. A request takes `cost`
 * units (writes may cost more); a refused request (429) takes none. The configuration is read from a
 * getter on every call so tests can change it at run time.
 */

import type { RateLimitOptions } from './index.js';

export interface RateWindowConfig extends RateLimitOptions {
  /** Default 'sliding'. */
  window?: 'sliding' | 'fixed';
  /** Default 'ratelimit'. */
  headers?: 'ratelimit' | 'x-ratelimit';
  /** Default 'delta'. */
  reset?: 'delta' | 'epoch';
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window frees (ceil), whatever the Reset header says. */
  resetSeconds: number;
  headers: Record<string, string>;
}

interface Hit {
  at: number;
  cost: number;
}

export class RateWindow {
  private hits: Hit[] = [];
  private head = 0;
  /** Units held by hits[head..] (sliding) or taken since the window opened (fixed). */
  private used = 0;
  /** When the fixed window opened; null while it is empty. */
  private openedAt: number | null = null;
  /** The kind of window the state above belongs to: a change at run time starts an empty window. */
  private kind: 'sliding' | 'fixed' = 'sliding';
  /** The most units accepted within any one window (= requests, when every request costs 1). */
  maxInWindow = 0;

  constructor(
    private readonly config: () => RateWindowConfig,
    private readonly now: () => number = () => performance.timeOrigin + performance.now(),
  ) {}

  take(cost = 1): RateDecision {
    const cfg = this.config();
    const now = this.now();
    const fixed = cfg.window === 'fixed';
    if ((fixed ? 'fixed' : 'sliding') !== this.kind) {
      const max = this.maxInWindow;
      this.reset();
      this.maxInWindow = max;
      this.kind = fixed ? 'fixed' : 'sliding';
    }
    if (fixed) {
      if (this.openedAt !== null && now >= this.openedAt + cfg.windowMs) this.clearFixed();
    } else this.prune(now - cfg.windowMs);
    const allowed = this.used + cost <= cfg.limit;
    if (allowed) {
      if (fixed) this.openedAt ??= now;
      else this.hits.push({ at: now, cost });
      this.used += cost;
      if (this.used > this.maxInWindow) this.maxInWindow = this.used;
    }
    const frees = fixed ? this.openedAt : this.hits[this.head]?.at;
    const freesAt = frees === undefined || frees === null ? null : frees + cfg.windowMs;
    const resetSeconds = freesAt === null ? 0 : Math.max(0, Math.ceil((freesAt - now) / 1000));
    const remaining = String(Math.max(0, cfg.limit - this.used));
    const reset = cfg.reset === 'epoch' ? String(Math.ceil((freesAt ?? now) / 1000)) : String(resetSeconds);
    const headers: Record<string, string> =
      cfg.headers === 'x-ratelimit'
        ? { 'X-RateLimit-Limit': String(cfg.limit), 'X-RateLimit-Remaining': remaining, 'X-RateLimit-Reset': reset }
        : {
            'RateLimit-Limit': `${cfg.limit}, ${cfg.limit};window=${Math.max(1, Math.ceil(cfg.windowMs / 1000))}`,
            'RateLimit-Remaining': remaining,
            'RateLimit-Reset': reset,
          };
    return { allowed, resetSeconds, headers };
  }

  reset(): void {
    this.hits = [];
    this.head = 0;
    this.clearFixed();
    this.maxInWindow = 0;
  }

  private clearFixed(): void {
    this.openedAt = null;
    this.used = 0;
  }

  /** Drop hits at or before `cutoff`; compact the array now and then. */
  private prune(cutoff: number): void {
    while (this.head < this.hits.length && (this.hits[this.head] as Hit).at <= cutoff) {
      this.used -= (this.hits[this.head] as Hit).cost;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.hits.length) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
  }
}

/** The documented limiter: a sliding window with RateLimit-* delta headers. */
export class SlidingWindow extends RateWindow {
  constructor(config: () => RateLimitOptions, now?: () => number) {
    super(() => ({ ...config(), window: 'sliding' }), now);
  }
}
