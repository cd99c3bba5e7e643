import { describe, expect, it } from 'vitest';
import { ApiError, AuthError, NetworkError, RowError } from '../../src/errors.js';
import { DEFAULT_RETRY, hintedWaitMs, isRetryable, retryDelay, type RetryPolicy } from '../../src/vitally/retry.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const policy = (random: number, over: Partial<RetryPolicy> = {}): RetryPolicy => ({
  maxRetries: 5,
  baseMs: 100,
  maxMs: 10_000,
  random: () => random,
  breaker: DEFAULT_RETRY.breaker,
  ...over,
});
const api = (status: number, headers: Record<string, string> = {}) => new ApiError(status, headers, '{"error":"x"}', 'POST', '/resources/accounts');

describe('which failures are retried', () => {
  it.each([
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [413, false],
    [422, false],
    [501, false],
  ])('HTTP %i -> %s', (status, retried) => {
    expect(isRetryable(api(status))).toBe(retried);
    expect(retryDelay(api(status), 1, policy(0.5), NOW) !== null).toBe(retried);
  });

  it.each([
    ['a connection reset', new NetworkError('POST /x: the connection was reset before an answer (ECONNRESET)'), true],
    ['a timeout', new NetworkError('POST /x: no answer within 100 ms (--timeout)', 'TIMEOUT'), true],
    ['a refused token', new AuthError(401, 'refused'), false],
    ['an invalid row', new RowError('ROW_INVALID', 'name is required'), false],
    ['a bare error (a bug)', new Error('boom'), false],
  ])('%s -> %s', (_name, err, retried) => {
    expect(isRetryable(err)).toBe(retried);
  });
});

describe('retryDelay', () => {
  it.each([
    // attempt, random, expected: full jitter over min(maxMs, baseMs * 2^(attempt-1))
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [5, 0.5, 800],
    [5, 0, 0],
    [5, 0.999, 1598.4],
  ])('attempt %i with random %f waits %f ms', (attempt, random, ms) => {
    expect(retryDelay(api(503), attempt, policy(random), NOW)).toBeCloseTo(ms, 6);
  });

  it('is capped at maxMs', () => {
    expect(retryDelay(api(503), 10, policy(0.999, { maxRetries: 20 }), NOW)).toBeCloseTo(9990, 6);
  });

  it('gives up after maxRetries retries: a request is sent maxRetries + 1 times at most', () => {
    expect(retryDelay(api(503), 5, policy(0.5), NOW)).not.toBeNull();
    expect(retryDelay(api(503), 6, policy(0.5), NOW)).toBeNull();
    expect(retryDelay(api(503), 1, policy(0.5, { maxRetries: 0 }), NOW)).toBeNull();
  });

  it.each([
    ['429 with Retry-After seconds', api(429, { 'retry-after': '3', 'ratelimit-reset': '9' }), 3000],
    ['429 with Retry-After as an HTTP date', api(429, { 'retry-after': new Date(NOW + 4000).toUTCString() }), 4000],
    ['429 with RateLimit-Reset only', api(429, { 'ratelimit-reset': '2' }), 2000],
    ['429 with X-RateLimit-Reset as an epoch', api(429, { 'x-ratelimit-reset': String(NOW / 1000 + 5) }), 5000],
    ['503 with Retry-After', api(503, { 'retry-after': '1' }), 1000],
  ])('%s waits the hint (plus at most min(250, baseMs) of jitter)', (_name, err, hint) => {
    expect(hintedWaitMs(err, NOW)).toBe(hint);
    expect(retryDelay(err, 1, policy(0), NOW)).toBe(hint);
    expect(retryDelay(err, 1, policy(0.5), NOW)).toBe(hint + 50);
    expect(retryDelay(err, 4, policy(0.5), NOW)).toBe(hint + 50); // the hint replaces the backoff
  });

  it('a 503 does not take RateLimit-Reset as a hint (it says when the window frees up, not the server)', () => {
    expect(hintedWaitMs(api(503, { 'ratelimit-reset': '30' }), NOW)).toBeUndefined();
    expect(retryDelay(api(503, { 'ratelimit-reset': '30' }), 1, policy(0.5), NOW)).toBe(50);
  });

  it('a 429 without any hint backs off like the others', () => {
    expect(retryDelay(api(429), 2, policy(0.5), NOW)).toBe(100);
  });

  it('a hint is capped at maxMs too', () => {
    expect(retryDelay(api(429, { 'retry-after': '3600' }), 1, policy(0), NOW)).toBe(10_000);
  });
});
