/**
 * Reading Vitally's rate-limit headers, leniently:
 * - RateLimit-Limit / -Remaining / -Reset (the documented IETF-draft spelling) or X-RateLimit-*;
 * - the window from the Limit's policy part (`1000, 1000;window=60`, or `w=60`) or from RateLimit-Policy;
 * - Reset as delta seconds (documented); a value larger than a day is a Unix epoch (in seconds, or in
 *   milliseconds when larger than 1e12), as some clients assume;
 * - Retry-After as seconds or as an HTTP date.
 * Header names are expected in lower case (as undici and node:http give them); a value that cannot be
 * read is left out rather than guessed.
 */

export interface RateLimitInfo {
  /** Requests allowed per window. */
  limit?: number;
  /** The window's length, when the server names it. */
  windowMs?: number;
  remaining?: number;
  /** Milliseconds until the earliest request leaves the window. */
  resetMs?: number;
}

export type HeaderMap = Record<string, string | string[] | undefined>;

function header(h: HeaderMap, name: string): string | undefined {
  const v = h[name] ?? h[`x-${name}`];
  return Array.isArray(v) ? v[0] : v;
}

const DAY_S = 86_400;
const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

function windowOf(policy: string): number | undefined {
  const w = /;\s*w(?:indow)?\s*=\s*(\d+(?:\.\d+)?)/i.exec(policy);
  if (!w) return undefined;
  const s = Number(w[1]);
  return s > 0 ? s * 1000 : undefined;
}

export function parseRateLimit(h: HeaderMap, now = Date.now()): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = header(h, 'ratelimit-limit');
  if (limit) {
    const first = /^\s*(\d+)/.exec(limit);
    if (first && Number(first[1]) > 0) info.limit = Number(first[1]);
    const w = windowOf(limit);
    if (w) info.windowMs = w;
  }
  if (info.windowMs === undefined) {
    const policy = header(h, 'ratelimit-policy');
    const w = policy ? windowOf(`;${policy}`) : undefined;
    if (w) info.windowMs = w;
  }
  const remaining = header(h, 'ratelimit-remaining');
  if (remaining && /^\s*\d+\s*$/.test(remaining)) info.remaining = Number(remaining);
  const reset = header(h, 'ratelimit-reset');
  if (reset && NUMBER.test(reset)) {
    const n = Number(reset);
    if (n > 1e12) info.resetMs = Math.max(0, n - now);
    else if (n > DAY_S) info.resetMs = Math.max(0, n * 1000 - now);
    else info.resetMs = n * 1000;
  }
  return info;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(h: HeaderMap, now = Date.now()): number | undefined {
  const v = header(h, 'retry-after');
  if (!v) return undefined;
  if (NUMBER.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "-5", "1e3": not a date either
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
