/**
 * Reading Vitally's rate-limit headers, leniently: RateLimit-* (the documented IETF-draft spelling) or
 * X-RateLimit-*; Reset as delta seconds (documented) or, when larger than a day, as a Unix epoch.
 */

export interface RateLimitInfo {
  limit?: number;
  windowMs?: number;
  remaining?: number;
  /** Milliseconds until the earliest request leaves the window. */
  resetMs?: number;
}

type Headers = Record<string, string | string[] | undefined>;

function header(h: Headers, name: string): string | undefined {
  const v = h[name] ?? h[`x-${name}`];
  return Array.isArray(v) ? v[0] : v;
}

const DAY_S = 86_400;

export function parseRateLimit(h: Headers, now = Date.now()): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = header(h, 'ratelimit-limit');
  if (limit) {
    const first = /^\s*(\d+)/.exec(limit);
    if (first) info.limit = Number(first[1]);
    const w = /;\s*w(?:indow)?=(\d+)/.exec(limit);
    if (w) info.windowMs = Number(w[1]) * 1000;
  }
  const remaining = header(h, 'ratelimit-remaining');
  if (remaining && /^\s*\d+\s*$/.test(remaining)) info.remaining = Number(remaining);
  const reset = header(h, 'ratelimit-reset');
  if (reset && /^\s*\d+(\.\d+)?\s*$/.test(reset)) {
    const n = Number(reset);
    info.resetMs = n > DAY_S ? Math.max(0, n * 1000 - now) : n * 1000;
  }
  return info;
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(h: Headers, now = Date.now()): number | undefined {
  const v = header(h, 'retry-after');
  if (!v) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
