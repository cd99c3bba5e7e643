/**
 * The retry policy, in one place: which failures are retried, and how long to wait. Capped exponential
 * backoff with full jitter; a server's Retry-After (or RateLimit-Reset on a 429) is honoured as the
 * least wait. 4xx answers other than 429 are never retried.
 */
import { ApiError, NetworkError } from '../errors.js';
import { parseRateLimit, retryAfterMs } from './ratelimit-headers.js';

export interface RetryPolicy {
  maxRetries: number;
  /** First backoff step; doubles each attempt. */
  baseMs: number;
  /** No single wait is longer than this. */
  maxMs: number;
  /** Random source in [0, 1): injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseMs: 500, maxMs: 60_000, random: Math.random };

export const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

export function isRetryable(err: unknown): boolean {
  if (err instanceof ApiError) return RETRY_STATUSES.has(err.status);
  return err instanceof NetworkError;
}

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt counts from 1), or null when the error is
 * final or the retries are spent.
 */
export function retryDelay(err: unknown, attempt: number, p: RetryPolicy): number | null {
  if (!isRetryable(err) || attempt > p.maxRetries) return null;
  const backoff = p.random() * Math.min(p.maxMs, p.baseMs * 2 ** (attempt - 1));
  if (err instanceof ApiError) {
    const hinted = retryAfterMs(err.headers) ?? (err.status === 429 ? parseRateLimit(err.headers).resetMs : undefined);
    // A small jitter on top of the hint keeps concurrent waiters from waking in one burst.
    if (hinted !== undefined) return Math.min(p.maxMs, hinted + p.random() * Math.min(250, p.baseMs));
  }
  return backoff;
}
