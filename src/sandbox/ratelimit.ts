/**
 * Sliding-window rate limiter with Vitally's documented headers:
 *   RateLimit-Limit: 1000, 1000;window=60
 *   RateLimit-Remaining: 999
 *   RateLimit-Reset: 59   (seconds until the earliest request in the window leaves it; 0 if empty)
 * A refused request (429) is not counted. The window is read from a getter on every call so tests can
 * change the limit at run time.
 */

import type { RateLimitOptions } from './index.js';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the earliest request leaves the window (ceil). */
  resetSeconds: number;
  headers: Record<string, string>;
}

export class SlidingWindow {
  private hits: number[] = [];
  private head = 0;
  /** The most requests accepted within any one window. */
  maxInWindow = 0;

  constructor(
    private readonly config: () => RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(): RateDecision {
    const { limit, windowMs } = this.config();
    const now = this.now();
    this.prune(now - windowMs);
    let count = this.hits.length - this.head;
    const allowed = count < limit;
    if (allowed) {
      this.hits.push(now);
      count += 1;
      if (count > this.maxInWindow) this.maxInWindow = count;
    }
    const oldest = count > 0 ? this.hits[this.head] : undefined;
    const resetSeconds = oldest === undefined ? 0 : Math.max(0, Math.ceil((oldest + windowMs - now) / 1000));
    const windowSeconds = Math.max(1, Math.ceil(windowMs / 1000));
    return {
      allowed,
      resetSeconds,
      headers: {
        'RateLimit-Limit': `${limit}, ${limit};window=${windowSeconds}`,
        'RateLimit-Remaining': String(Math.max(0, limit - count)),
        'RateLimit-Reset': String(resetSeconds),
      },
    };
  }

  reset(): void {
    this.hits = [];
    this.head = 0;
    this.maxInWindow = 0;
  }

  /** Drop hits at or before `cutoff`; compact the array now and then. */
  private prune(cutoff: number): void {
    while (this.head < this.hits.length && (this.hits[this.head] as number) <= cutoff) this.head += 1;
    if (this.head > 1024 && this.head * 2 > this.hits.length) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
  }
}
