/**
 * The breaker: when the server is taken for down, from the outcomes of the sender's attempts.
 *
 * An attempt is *failing* when it ends in a 429, a 5xx, no answer, or an answer that confirms nothing
 * (the sender decides). The breaker trips on any of three:
 * - `requests` requests in a row gave up that way (their retries spent);
 * - failing has gone on for `ms` without one success in between;
 * - at least MOSTLY of the attempts of the last `ms` failed (at least `requests` of them, with the run
 *   sending for `ms` or more): a server that lets one request in five through (429s with a long
 *   Retry-After, say) never gives "in a row", but a run would crawl along at a few rows a minute for
 *   hours. The first time the share reaches MOSTLY while some attempts still pass, `onSlowed` is
 *   told, so the user knows why the run crawls before it stops.
 * A success, or an answer that is a verdict on the request (400, 404, ...), ends a stretch "in a row";
 * the share counts every attempt of the last `ms`.
 */

/** The share of failing attempts, over the last `ms`, that counts as "mostly failing". */
export const MOSTLY = 0.8;

export class Breaker {
  /** When the current stretch of failing attempts began, and how many requests gave up in it. */
  private failingSince: number | undefined;
  private gaveUp = 0;
  /** The attempts of the last `ms`, oldest first: when each ended and whether it failed. */
  private readonly recent: Array<{ at: number; failed: boolean }> = [];
  private recentFailed = 0;
  /** When the first attempt ended: the share is judged once the last `ms` are all of this run. */
  private firstAt: number | undefined;
  private slowedSaid = false;

  constructor(
    private readonly limits: { requests: number; ms: number },
    private readonly now: () => number,
    private readonly onSlowed?: (message: string) => void,
  ) {}

  /** An attempt that succeeded, or was a verdict on the request itself: the server is serving. */
  served(): void {
    this.failingSince = undefined;
    this.gaveUp = 0;
    this.count(false);
  }

  /**
   * An attempt that failed; `gaveUp` when its request will not be tried again. Returns why the server
   * is taken for down, or undefined.
   */
  failed(gaveUp: boolean): string | undefined {
    const now = this.now();
    this.failingSince ??= now;
    if (gaveUp) this.gaveUp++;
    this.count(true);
    const { requests, ms } = this.limits;
    const since = now - this.failingSince;
    if (this.gaveUp >= requests) {
      return `${this.gaveUp} requests in a row gave up (429, 5xx, no answer, or an answer that confirms nothing), with no success for ${duration(since)}`;
    }
    if (since >= ms) return `no request succeeded for ${duration(since)} while they kept failing`;
    if (this.mostly() && now - this.firstAt! >= ms) {
      return `${this.recentFailed} of the ${this.recent.length} attempts of the last ${duration(ms)} failed (429, 5xx, no answer, or an answer that confirms nothing)`;
    }
    return undefined;
  }

  /** At least MOSTLY of the last `ms`'s attempts (and `requests` or more of them) failed. */
  private mostly(): boolean {
    return this.recent.length >= this.limits.requests && this.recentFailed >= MOSTLY * this.recent.length;
  }

  private count(failed: boolean): void {
    const now = this.now();
    this.firstAt ??= now;
    this.recent.push({ at: now, failed });
    if (failed) this.recentFailed++;
    const horizon = now - this.limits.ms;
    while (this.recent.length > 0 && this.recent[0]!.at < horizon) {
      if (this.recent.shift()!.failed) this.recentFailed--;
    }
    // Said when some requests still pass (when none does, the rules "in a row" speak soon enough).
    if (this.slowedSaid || !this.mostly() || this.recentFailed === this.recent.length) return;
    this.slowedSaid = true;
    this.onSlowed?.(
      `the server is failing most requests (${this.recentFailed} of the last ${this.recent.length}: 429, 5xx, no answer, or an answer that confirms nothing): the run is slowed, and stops if most attempts of ${duration(this.limits.ms)} fail`,
    );
  }
}

const duration = (ms: number) => (ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.round(ms / 1000)} s`);
