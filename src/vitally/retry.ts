/**
 * The retry policy, in one place: which failures are retried, and how long to wait. Capped exponential
 * backoff with full jitter; a server's Retry-After (or, on a 429, RateLimit-Reset) replaces the backoff,
 * with a little jitter on top so concurrent waiters do not wake in one burst (and never more than a
 * minute: ratelimit-headers.ts cuts absurd hints). 4xx answers other than 429 are never retried (a
 * validation error stays one however often it is sent), and neither are the answers the transport
 * refuses whatever their status (too large, a redirect, a 2xx that confirms nothing).
 */
import { ApiError, isRetryable } from '../errors.js';
import { parseRateLimit, retryAfterMs } from './ratelimit-headers.js';

export interface RetryPolicy {
  /** Retries after the first attempt (--max-retries): a request is sent at most maxRetries + 1 times. */
  maxRetries: number;
  /** First backoff step; doubles each attempt. Tests shrink it (--retry-base-ms) so nothing sleeps long. */
  baseMs: number;
  /** No single wait is longer than this, a server's hint included. */
  maxMs: number;
  /** Random source in [0, 1): injectable so tests are deterministic. */
  random: () => number;
  /**
   * When the server is taken for down (the sender's breaker): this many requests in a row gave up on
   * 429, 5xx, no answer or an unconfirming answer, or failing went on this long with no success.
   */
  breaker: { requests: number; ms: number };
  /** The clock (injectable so tests of the breaker need not wait). */
  now?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseMs: 500, maxMs: 60_000, random: Math.random, breaker: { requests: 10, ms: 5 * 60_000 } };

/** Which failures are retried is the error classes' policy (errors.ts). */
export { isRetryable };

/** The wait a failed answer asks for: Retry-After, else on a 429 RateLimit-Reset; undefined if none. */
export function hintedWaitMs(err: unknown, now = Date.now()): number | undefined {
  if (!(err instanceof ApiError)) return undefined;
  return retryAfterMs(err.headers, now, Infinity) ?? (err.status === 429 ? parseRateLimit(err.headers, now, Infinity).resetMs : undefined);
}

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or null when the error is
 * final or the retries are spent.
 */
export function retryDelay(err: unknown, attempt: number, p: RetryPolicy, now = Date.now()): number | null {
  if (!isRetryable(err) || attempt > p.maxRetries) return null;
  const hinted = hintedWaitMs(err, now);
  if (hinted !== undefined) return Math.min(p.maxMs, hinted + p.random() * Math.min(250, p.baseMs));
  return p.random() * Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1));
}
