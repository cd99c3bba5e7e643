/**
 * Reading Vitally's rate-limit headers, leniently:
 * - RateLimit-Limit / -Remaining / -Reset (the documented IETF-draft spelling) or X-RateLimit-*;
 * - the window from the Limit's policy part (`1000, 1000;window=60`, or `w=60`) or from RateLimit-Policy;
 * - Reset as delta seconds (documented); a value larger than a day is a Unix epoch (in seconds, or in
 *   milliseconds when larger than 1e12), as some clients assume;
 * - Retry-After as seconds or as an HTTP date.
 * Header names are expected in lower case (as undici and node:http give them); a value that cannot be
 * read is left out rather than guessed.
 *
 * Absurd values are not believed (a Vitally window is a minute): a wait longer than MAX_WAIT_MS (or
 * the `maxWaitMs` given) asked by Retry-After or RateLimit-Reset (as a delta, an epoch or a date) is cut
 * to it; a window longer than MAX_WINDOW_MS or a limit above MAX_LIMIT is ignored, and so is
 * a window whose limit would space two requests more than MAX_WAIT_MS apart (`1, 1;w=600`: a wait no
 * header may ask). `absurdValues` describes each such value, so the caller can say so once.
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
/** The longest wait a header may ask for. */
export const MAX_WAIT_MS = 60_000;
/** The longest window believed (Vitally's is 60 s). */
export const MAX_WINDOW_MS = 10 * 60_000;
/** The most requests a window is believed to allow (Vitally allows 1,000 a minute; --rate goes up to 100,000). */
export const MAX_LIMIT = 100_000;
const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

/** The limit a RateLimit-Limit value names, however large; undefined when it names none. */
function rawLimitOf(value: string): number | undefined {
  const first = /^\s*(\d+)/.exec(value);
  return first && Number(first[1]) > 0 ? Number(first[1]) : undefined;
}

interface Policy {
  limit?: number;
  windowMs?: number;
  /** A window ignored for asking more than MAX_WAIT_MS between two requests: its header and the spacing. */
  tooSparse?: { from: string; spacingMs: number };
}

/** The policy an answer names, as believed. */
function policyOf(h: HeaderMap): Policy {
  const limitText = header(h, 'ratelimit-limit');
  const raw = limitText === undefined ? undefined : rawLimitOf(limitText);
  const limit = raw !== undefined && raw <= MAX_LIMIT ? raw : undefined;
  let windowMs = limitText === undefined ? undefined : windowOf(limitText);
  let windowFrom = 'ratelimit-limit';
  if (windowMs === undefined) {
    const policy = header(h, 'ratelimit-policy');
    windowMs = policy === undefined ? undefined : windowOf(`;${policy}`);
    windowFrom = 'ratelimit-policy';
  }
  // A window so long for its limit that two requests would be more than the longest wait apart.
  if (limit !== undefined && windowMs !== undefined && windowMs / limit > MAX_WAIT_MS)
    return { limit, tooSparse: { from: windowFrom, spacingMs: windowMs / limit } };
  return { limit, windowMs };
}

/** The window named in a policy, in ms, however long. */
function rawWindowOf(policy: string): number | undefined {
  const w = /;\s*w(?:indow)?\s*=\s*(\d+(?:\.\d+)?)/i.exec(policy);
  if (!w) return undefined;
  const s = Number(w[1]);
  return s > 0 ? s * 1000 : undefined;
}

const windowOf = (policy: string): number | undefined => {
  const w = rawWindowOf(policy);
  return w !== undefined && w <= MAX_WINDOW_MS ? w : undefined;
};

/** RateLimit-Reset in ms from now, however far: delta seconds, or an epoch in s or ms. */
function rawResetMs(reset: string | undefined, now: number): number | undefined {
  if (!reset || !NUMBER.test(reset)) return undefined;
  const n = Number(reset);
  if (n > 1e12) return Math.max(0, n - now);
  if (n > DAY_S) return Math.max(0, n * 1000 - now);
  return n * 1000;
}

/** Retry-After in ms from now, however far; undefined when absent or unreadable. */
function rawRetryAfterMs(v: string | undefined, now: number): number | undefined {
  if (!v) return undefined;
  if (NUMBER.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "-5", "1e3": not a date either
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function parseRateLimit(h: HeaderMap, now = Date.now(), maxWaitMs = MAX_WAIT_MS): RateLimitInfo {
  const info: RateLimitInfo = {};
  const { limit, windowMs } = policyOf(h);
  if (limit !== undefined) info.limit = limit;
  if (windowMs !== undefined) info.windowMs = windowMs;
  const remaining = header(h, 'ratelimit-remaining');
  if (remaining && /^\s*\d+\s*$/.test(remaining)) info.remaining = Number(remaining);
  const reset = rawResetMs(header(h, 'ratelimit-reset'), now);
  if (reset !== undefined) info.resetMs = Math.min(reset, maxWaitMs);
  return info;
}

/** Retry-After as seconds or an HTTP date, at most `maxWaitMs`; undefined when absent or unreadable. */
export function retryAfterMs(h: HeaderMap, now = Date.now(), maxWaitMs = MAX_WAIT_MS): number | undefined {
  const ms = rawRetryAfterMs(header(h, 'retry-after'), now);
  return ms === undefined ? undefined : Math.min(ms, maxWaitMs);
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * The rate-limit values of an answer that are not believed as they stand, each described in words
 * (a header, its value, what was done instead). Empty for sane headers. A wait a little over the
 * longest (an epoch Reset rounded up past a one-minute window) is cut without a word: only one more
 * than twice as long is worth saying.
 */
export function absurdValues(h: HeaderMap, now = Date.now(), maxWaitMs = MAX_WAIT_MS): string[] {
  const out: string[] = [];
  const absurd = (ms: number) => ms > 2 * maxWaitMs;
  const name = (n: string) => (h[n] !== undefined ? n : `x-${n}`);
  const retry = header(h, 'retry-after');
  const retryMs = rawRetryAfterMs(retry, now);
  if (retry !== undefined && retryMs === undefined) out.push(`${name('retry-after')}: ${retry} is neither seconds nor a date: ignored`);
  else if (retryMs !== undefined && absurd(retryMs)) {
    out.push(`${name('retry-after')}: ${retry} asks to wait ${seconds(retryMs)}: waits are cut to ${maxWaitMs / 1000} s`);
  }
  const reset = header(h, 'ratelimit-reset');
  const resetMs = rawResetMs(reset, now);
  if (reset !== undefined && resetMs === undefined) out.push(`${name('ratelimit-reset')}: ${reset} is not a number of seconds: ignored`);
  else if (resetMs !== undefined && absurd(resetMs)) {
    out.push(`${name('ratelimit-reset')}: ${reset} asks to wait ${seconds(resetMs)}: waits are cut to ${maxWaitMs / 1000} s`);
  }
  for (const n of ['ratelimit-limit', 'ratelimit-policy']) {
    const v = header(h, n);
    const w = v === undefined ? undefined : rawWindowOf(n === 'ratelimit-policy' ? `;${v}` : v);
    if (w !== undefined && w > MAX_WINDOW_MS) out.push(`${name(n)}: ${v} names a window of ${seconds(w)}: ignored (Vitally's window is 60 s)`);
  }
  const limitText = header(h, 'ratelimit-limit');
  const limit = limitText === undefined ? undefined : rawLimitOf(limitText);
  if (limit !== undefined && limit > MAX_LIMIT) {
    out.push(`${name('ratelimit-limit')}: ${limitText} names a limit of ${limit} requests: ignored (Vitally allows 1000 a minute)`);
  }
  const sparse = policyOf(h).tooSparse;
  if (sparse) {
    out.push(`${name(sparse.from)}: ${header(h, sparse.from)} asks ${seconds(sparse.spacingMs)} between two requests: ignored (Vitally allows 1000 a minute)`);
  }
  return out;
}
