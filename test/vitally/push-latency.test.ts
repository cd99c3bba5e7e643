/**
 * `push` against a sandbox that answers slowly and unevenly, under a sliding window with RateLimit-*
 * headers (the docs profile) and under a fixed one with X-RateLimit-* headers and an epoch Reset (the
 * live profile): the results come out in input order though the answers do not, every row lands once,
 * and 429s stay within 2 in 100. Counts only: how much of the allowance a run uses is measured in the
 * bench (bench/allowance.js, docs/benchmarks.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

let sb: Sandbox | undefined;
let flip: NodeJS.Timeout | undefined;
afterEach(async () => {
  clearInterval(flip);
  await sb?.close();
  sb = undefined;
});

const ROWS = 60;
const WINDOW = { limit: 40, windowMs: 1000 };

/** Answers take 250 ms or 20 ms, changing every 60 ms, so later requests often come back first. */
function unevenLatency(s: Sandbox): void {
  flip = setInterval(() => (s.options.latencyMs = s.options.latencyMs === 250 ? 20 : 250), 60);
}

/** A line of the request log. */
interface Logged {
  method: string;
  url: string;
  attempt: number;
  status: number | null;
  request: { body: { externalId: string } | null };
}

async function push(s: Sandbox, extra: string[] = []) {
  const dir = tempDir();
  const lines = ['externalId,name', ...Array.from({ length: ROWS }, (_, i) => `acc-${i + 1},Account ${i + 1}`)];
  const file = writeTemp(dir, 'accounts.csv', lines.join('\n'));
  const log = join(dir, 'requests.ndjson');
  // --rate above the window: the pacer must go by what the server's headers say (or let it learn).
  const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rate', '100000', '--log-requests', log, ...extra], {
    env: { VITALLY_BASE_URL: s.url, VITALLY_API_TOKEN: s.token },
  });
  const exchanges = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Logged);
  return { r, exchanges };
}

describe('push at uneven latency', () => {
  it.each([
    ['docs', 'a sliding window, RateLimit-* headers'],
    ['live', 'a fixed window, X-RateLimit-* headers with an epoch Reset'],
  ] as const)('%s profile (%s): results in input order, each row once, 429s within 2 in 100', async (profile, _what) => {
    sb = await createSandbox({ profile, rateLimit: WINDOW, latencyMs: 250 });
    unevenLatency(sb);
    const { r, exchanges } = await push(sb);
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(rows(r).every((x) => x.status === 'ok' && x.action === 'created')).toBe(true);
    // The answers came back in another order than the rows were read.
    const answered = exchanges.filter((e) => e.method === 'POST' && (e.status === 201 || e.status === 200)).map((e) => e.request.body!.externalId);
    expect(answered).toHaveLength(ROWS);
    expect(answered).not.toEqual(rows(r).map((x) => x.key));
    // Every row landed once.
    const stored = sb.store.all('accounts').map((a) => a.externalId);
    expect(new Set(stored).size).toBe(ROWS);
    expect(stored).toHaveLength(ROWS);
    expect(sb.stats.maxInWindow).toBeLessThanOrEqual(WINDOW.limit);
    expect(sb.stats.rateLimited).toBeLessThanOrEqual(Math.floor(0.02 * sb.stats.requests));
    expect(summaryOf(r).rateLimited).toBe(sb.stats.rateLimited);
  });

  it('503s now and then: every row lands once and in order, each failure retried', async () => {
    sb = await createSandbox({ rateLimit: WINDOW, latencyMs: 250, failRate: 0.1, seed: 7 });
    unevenLatency(sb);
    // A short backoff (a hidden setting) keeps the test short.
    const { r, exchanges } = await push(sb, ['--retry-base-ms', '20']);
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.row)).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
    expect(rows(r).every((x) => x.status === 'ok')).toBe(true);
    expect(sb.store.all('accounts')).toHaveLength(ROWS);
    // Every 503 the sandbox gave is in the log, and each was followed by the same request's next attempt.
    const failed = exchanges.filter((e) => e.status === 503);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed).toHaveLength(sb.stats.faults.failed);
    const same = (a: Logged, b: Logged) => a.method === b.method && a.url === b.url && JSON.stringify(a.request.body) === JSON.stringify(b.request.body);
    for (const f of failed) expect(exchanges.some((e) => same(e, f) && e.attempt === f.attempt + 1)).toBe(true);
  });
});
