import { describe, expect, it } from 'vitest';
import { absurdValues, MAX_WAIT_MS, parseRateLimit, retryAfterMs } from '../../src/vitally/ratelimit-headers.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

describe('parseRateLimit', () => {
  it.each([
    [
      'Vitally documented headers',
      { 'ratelimit-limit': '1000, 1000;window=60', 'ratelimit-remaining': '999', 'ratelimit-reset': '59' },
      { limit: 1000, windowMs: 60_000, remaining: 999, resetMs: 59_000 },
    ],
    [
      'an older tenant (100 a minute)',
      { 'ratelimit-limit': '100, 100;window=60', 'ratelimit-remaining': '0', 'ratelimit-reset': '7' },
      { limit: 100, windowMs: 60_000, remaining: 0, resetMs: 7000 },
    ],
    [
      'the sandbox tight window',
      { 'ratelimit-limit': '20, 20;window=2', 'ratelimit-remaining': '3', 'ratelimit-reset': '0' },
      { limit: 20, windowMs: 2000, remaining: 3, resetMs: 0 },
    ],
    ['w= instead of window=', { 'ratelimit-limit': '50;w=10' }, { limit: 50, windowMs: 10_000 }],
    ['the window from RateLimit-Policy', { 'ratelimit-limit': '50', 'ratelimit-policy': '50;w=30' }, { limit: 50, windowMs: 30_000 }],
    [
      'X- prefixed headers',
      { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '30' },
      { limit: 1000, remaining: 12, resetMs: 30_000 },
    ],
    ['Reset as a Unix epoch in seconds', { 'ratelimit-reset': String(NOW / 1000 + 42) }, { resetMs: 42_000 }],
    ['Reset as a Unix epoch in milliseconds', { 'x-ratelimit-reset': String(NOW + 1500) }, { resetMs: 1500 }],
    ['an epoch already past', { 'ratelimit-reset': String(NOW / 1000 - 5) }, { resetMs: 0 }],
    ['fractional delta seconds', { 'ratelimit-reset': '1.5' }, { resetMs: 1500 }],
    ['a header given twice (first wins)', { 'ratelimit-remaining': ['4', '9'] }, { remaining: 4 }],
    ['unreadable values are left out', { 'ratelimit-limit': 'lots', 'ratelimit-remaining': '-1', 'ratelimit-reset': 'soon' }, {}],
    ['a zero limit is no limit', { 'ratelimit-limit': '0, 0;window=60' }, { windowMs: 60_000 }],
    ['no headers', {}, {}],
    [
      'a delta Reset of a day is cut to a minute',
      { 'ratelimit-limit': '1000', 'ratelimit-remaining': '0', 'ratelimit-reset': '86000' },
      { limit: 1000, remaining: 0, resetMs: MAX_WAIT_MS },
    ],
    ['an epoch Reset centuries ahead is cut to a minute', { 'ratelimit-reset': '10000000000' }, { resetMs: MAX_WAIT_MS }],
    ['an epoch Reset in ms a year ahead is cut to a minute', { 'ratelimit-reset': String(NOW + 365 * 86_400_000) }, { resetMs: MAX_WAIT_MS }],
    ['a Reset in exponent notation is not read', { 'ratelimit-reset': '1e10' }, {}],
    ['a window of a day is ignored', { 'ratelimit-limit': '1, 1;window=86400', 'ratelimit-remaining': '0' }, { limit: 1, remaining: 0 }],
    ['a policy window of a day is ignored', { 'ratelimit-limit': '5', 'ratelimit-policy': '5;w=86400' }, { limit: 5 }],
  ] as const)('%s', (_name, headers, expected) => {
    expect(parseRateLimit(headers as Record<string, string | string[]>, NOW)).toEqual(expected);
  });
});

describe('retryAfterMs', () => {
  it.each([
    ['delta seconds', '30', 30_000],
    ['more than a minute is cut to a minute', '120', MAX_WAIT_MS],
    ['an absurd number of seconds is cut to a minute', '999999999', MAX_WAIT_MS],
    ['a date a year ahead is cut to a minute', new Date(NOW + 365 * 86_400_000).toUTCString(), MAX_WAIT_MS],
    ['zero', '0', 0],
    ['fractional seconds', '0.25', 250],
    ['an HTTP date', new Date(NOW + 30_000).toUTCString(), 30_000],
    ['an HTTP date in the past', new Date(NOW - 30_000).toUTCString(), 0],
    ['garbage', 'whenever', undefined],
    ['a negative number', '-5', undefined],
    ['absent', undefined, undefined],
  ] as const)('%s', (_name, value, expected) => {
    expect(retryAfterMs(value === undefined ? {} : { 'retry-after': value }, NOW)).toBe(expected);
  });
});

describe('absurdValues', () => {
  it.each([
    ['sane headers', { 'ratelimit-limit': '1000, 1000;window=60', 'ratelimit-remaining': '0', 'ratelimit-reset': '59', 'retry-after': '3' }, []],
    ['Retry-After of 31 years', { 'retry-after': '999999999' }, ['retry-after: 999999999 asks to wait 999999999 s: waits are cut to 60 s']],
    ['Retry-After that is not a number or a date', { 'retry-after': '1e10' }, ['retry-after: 1e10 is neither seconds nor a date: ignored']],
    ['RateLimit-Reset of a day', { 'ratelimit-reset': '86000' }, ['ratelimit-reset: 86000 asks to wait 86000 s: waits are cut to 60 s']],
    ['RateLimit-Reset in exponent notation', { 'ratelimit-reset': '1e10' }, ['ratelimit-reset: 1e10 is not a number of seconds: ignored']],
    [
      'X-RateLimit-Reset as an epoch in 2286',
      { 'x-ratelimit-reset': '10000000000' },
      [`x-ratelimit-reset: 10000000000 asks to wait ${Math.round(1e10 - NOW / 1000)} s: waits are cut to 60 s`],
    ],
    [
      'a window of a day',
      { 'ratelimit-limit': '1, 1;w=86400' },
      ["ratelimit-limit: 1, 1;w=86400 names a window of 86400 s: ignored (Vitally's window is 60 s)"],
    ],
  ] as const)('%s', (_name, headers, expected) => {
    expect(absurdValues(headers as Record<string, string>, NOW)).toEqual(expected);
  });
});

describe('absurdValues: what is only a little long is cut without a word', () => {
  it('an epoch Reset 61 s ahead (a one-minute window rounded up) is cut to a minute, and not reported', () => {
    const h = { 'x-ratelimit-reset': String(NOW / 1000 + 61) };
    expect(parseRateLimit(h, NOW).resetMs).toBe(MAX_WAIT_MS);
    expect(absurdValues(h, NOW)).toEqual([]);
  });
});
