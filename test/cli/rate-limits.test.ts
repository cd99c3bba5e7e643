/**
 * `push` against a sandbox's rate limit: a window tighter than --rate, 429s with and without
 * Retry-After. Each test waits for a window to pass, so they live apart from faults.test.ts and run
 * beside it (timeouts are in timeouts.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { rest } from '../sandbox/helpers.js';
import { runCli, sandboxEnv, summaryOf } from '../helpers/cli.js';
import { expectEveryRowOnce, faultSandboxes } from '../helpers/faults.js';

const { start, accountsCsv } = faultSandboxes();

// Each test has its own sandbox and waits on its own window or timeout: they wait side by side.
describe.concurrent('rate limits', () => {
  // How much of the window the run uses is measured in the bench (bench/rate.js, docs/benchmarks.md).
  it('a window tighter than --rate is never overrun, with few 429s', async () => {
    const limit = 10;
    const sb = await start({ rateLimit: { limit, windowMs: 1000 } });
    const file = accountsCsv('tight.csv', 25);
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rate', '6000', '--types', 'as-read'], {
      env: sandboxEnv(sb),
    });
    expect(r.code).toBe(0);
    expectEveryRowOnce(sb, 25);
    const s = summaryOf(r);
    expect(s.rateLimited).toBeLessThanOrEqual(1);
    expect(sb.stats.rateLimited).toBe(s.rateLimited);
    expect(sb.stats.maxInWindow).toBeLessThanOrEqual(limit);
  });

  it.each([
    ['with Retry-After', true],
    ['with RateLimit-Reset only', false],
  ])('recovers from a 429 %s: waits, then resumes at the announced pace', async (_name, retryAfter) => {
    // A window long enough that the run's first request still falls in it on a loaded machine (loading
    // the command's modules and reading the file can take over a second there): with 1 s, the window had
    // sometimes passed before the run began, and no 429 came.
    const sb = await start({ rateLimit: { limit: 5, windowMs: 2500 }, retryAfter });
    // Another client has just used the whole window.
    for (let i = 0; i < 5; i++) expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200);
    const file = accountsCsv(`after-429-${retryAfter}.csv`, 8);
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rate', '6000', '--types', 'as-read'], {
      env: sandboxEnv(sb),
    });
    expect(r.code).toBe(0);
    expectEveryRowOnce(sb, 8);
    expect(summaryOf(r).rateLimited).toBeGreaterThanOrEqual(1);
    expect(summaryOf(r).rateLimited).toBeLessThanOrEqual(2);
    expect(sb.stats.rateLimited).toBe(summaryOf(r).rateLimited);
    expect(sb.stats.maxInWindow).toBeLessThanOrEqual(5);
  });
});
