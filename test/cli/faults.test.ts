/**
 * `push` against a sandbox that misbehaves: injected 503s, dropped connections, lost answers, tight
 * rate-limit windows, 429s with and without Retry-After, slow answers. Assertions read what the sandbox
 * received and stored; --retry-base-ms 1 keeps the backoff short, so nothing sleeps long.
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { rest } from '../sandbox/helpers.js';
import { rows, runCli, sandboxEnv, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

let dir: string;
const open: Sandbox[] = [];

beforeAll(() => {
  dir = tempDir();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((sb) => sb.close()));
});

/** A window wide enough not to matter, unless the test is about the rate limit. */
const WIDE = { limit: 100_000, windowMs: 60_000 };

async function start(o: SandboxOptions): Promise<Sandbox> {
  const sb = await createSandbox({ rateLimit: WIDE, ...o });
  open.push(sb);
  return sb;
}

function accountsCsv(name: string, n: number): string {
  const lines = ['externalId,name', ...Array.from({ length: n }, (_, i) => `acct-${i + 1},Account ${i + 1}`)];
  return writeTemp(dir, name, lines.join('\n') + '\n');
}

const FAST = ['--json', '--retry-base-ms', '1', '--rate', '100000'];

/** The key a recorded write was about: the POST body's externalId, or the last path segment. */
function keyOf(r: { path: string; body: string }): string {
  if (r.body) {
    const b = JSON.parse(r.body) as { externalId?: string };
    if (b.externalId) return b.externalId;
  }
  return decodeURIComponent(r.path.split('?')[0]!.split('/').pop()!);
}

/** Writes the sandbox applied (2xx, answered or not), counted per key. */
function appliedWrites(sb: Sandbox): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of sb.requests) {
    if (r.method === 'GET' || r.status < 200 || r.status > 299 || r.fault === 'drop' || r.fault === 'fail') continue;
    m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + 1);
  }
  return m;
}

function expectEveryRowOnce(sb: Sandbox, n: number): void {
  const accounts = sb.store.all('accounts');
  expect(accounts).toHaveLength(n);
  for (let i = 1; i <= n; i++) expect(sb.store.get('accounts', `acct-${i}`)).toMatchObject({ name: `Account ${i}` });
  const writes = appliedWrites(sb);
  expect(writes.size).toBe(n);
  expect([...writes.values()].every((c) => c === 1)).toBe(true);
}

describe('every row lands exactly once', () => {
  it.each(['upsert', 'insert'])('under injected 503s and connection resets (--mode %s)', async (mode) => {
    const sb = await start({ failRate: 0.2, dropRate: 0.1, seed: 11, postExisting: 'conflict' });
    const file = accountsCsv(`faults-${mode}.csv`, 80);
    const r = await runCli(['push', file, '--object', 'account', '--mode', mode, '--max-retries', '10', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(0);
    expect(rows(r)).toHaveLength(80);
    expect(rows(r).every((x) => x.status === 'ok' && x.action === 'created')).toBe(true);
    expect(rows(r).map((x) => x.row)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(sb.stats.faults.failed).toBeGreaterThan(5);
    expect(sb.stats.faults.dropped).toBeGreaterThan(2);
    expect(sb.stats.byStatus[409]).toBeUndefined();
    expectEveryRowOnce(sb, 80);
    expect(summaryOf(r).retries).toBeGreaterThanOrEqual(sb.stats.faults.failed + sb.stats.faults.dropped);
  });

  it.each(['insert', 'upsert'])('when answers are lost after the write was applied (--mode %s): verified by GET, never sent twice', async (mode) => {
    // postExisting 'conflict': a create sent twice would be answered 409 and the row would fail.
    const sb = await start({ dropAfterRate: 0.25, seed: 5, postExisting: 'conflict' });
    const file = accountsCsv(`lost-${mode}.csv`, 60);
    const r = await runCli(['push', file, '--object', 'account', '--mode', mode, '--max-retries', '10', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(0);
    expect(rows(r).every((x) => x.status === 'ok' && x.action === 'created')).toBe(true);
    expect(sb.stats.faults.droppedAfter).toBeGreaterThan(5);
    expect(sb.stats.byStatus[409]).toBeUndefined();
    expectEveryRowOnce(sb, 60);
    // Every lost create was looked up before anything else was sent for it.
    const lostCreates = sb.requests.filter((q) => q.method === 'POST' && q.fault === 'dropAfter');
    expect(lostCreates.length).toBeGreaterThan(0);
    for (const lost of lostCreates) {
      const key = keyOf(lost);
      const after = sb.requests.filter((q) => q.at >= lost.at && q !== lost && keyOf(q) === key);
      expect(after[0]).toMatchObject({ method: 'GET' });
      expect(after.some((q) => q.method === 'POST')).toBe(false);
    }
    // The row's id is the one Vitally assigned, read back by the look-up.
    for (const x of rows(r)) expect(x.id).toBe(sb.store.get('accounts', x.key)!.id);
  });
});

describe('what is not retried, and what gives up', () => {
  it('a 400 is sent once and fails its row alone; the others are created', async () => {
    const sb = await start({});
    const file = writeTemp(dir, 'bad-org.csv', 'externalId,name,organizationId\nok-1,One,\nbad-1,Bad,no-such-org\nok-2,Two,\n');
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--max-retries', '5', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.httpStatus])).toEqual([
      ['ok-1', 'ok', 200],
      ['bad-1', 'failed', 400],
      ['ok-2', 'ok', 200],
    ]);
    expect(rows(r)[1]!.error).toBe('POST /resources/accounts answered 400: Unknown organization id: no-such-org');
    expect(sb.requests.filter((q) => keyOf(q) === 'bad-1')).toHaveLength(1);
    expect(summaryOf(r)).toMatchObject({ requests: 3, retries: 0 });
  });

  it('a row that exhausts its retries fails with the last error "(after N attempts)"; nothing else is sent for it', async () => {
    const sb = await start({ failRate: 1 });
    const file = accountsCsv('always-503.csv', 3);
    const r = await runCli(['push', file, '--object', 'account', '--max-retries', '2', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(1);
    for (const [i, x] of rows(r).entries()) {
      expect(x).toMatchObject({ status: 'failed', httpStatus: 503 });
      expect(x.error).toBe(`PUT /resources/accounts/acct-${i + 1} answered 503: Service Unavailable (after 3 attempts)`);
      expect(sb.requests.filter((q) => keyOf(q) === `acct-${i + 1}`).map((q) => `${q.method} ${q.status}`)).toEqual(['PUT 503', 'PUT 503', 'PUT 503']);
    }
    expect(summaryOf(r)).toMatchObject({ failed: 3, requests: 9, retries: 6 });
  });

  it('only the rows that exhaust their retries fail; the rest go on', async () => {
    // One request at a time, so the seeded faults fall on the same requests in every run.
    const sb = await start({ failRate: 0.5, seed: 3 });
    const file = accountsCsv('some-503.csv', 16);
    const r = await runCli(['push', file, '--object', 'account', '--max-retries', '1', '--concurrency', '1', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(1);
    const failed = rows(r).filter((x) => x.status === 'failed');
    const ok = rows(r).filter((x) => x.status === 'ok');
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    expect(rows(r).map((x) => x.row)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    for (const x of failed) {
      expect(x.error).toMatch(/answered 503: Service Unavailable \(after 2 attempts\)$/);
      expect(sb.store.get('accounts', x.key)).toBeUndefined();
      // Its request was refused twice, the last time last; nothing for it was applied.
      const mine = sb.requests.filter((q) => keyOf(q) === x.key);
      expect(mine.at(-1)!.status).toBe(503);
      expect(mine.filter((q) => q.status === 503).length).toBeGreaterThanOrEqual(2);
      expect(appliedWrites(sb).get(x.key)).toBeUndefined();
    }
    for (const x of ok) expect(sb.store.get('accounts', x.key)).toMatchObject({ id: x.id });
    expect(sb.store.all('accounts')).toHaveLength(ok.length);
  });
});

describe('rate limits', () => {
  it('a window tighter than --rate is used near its allowance, with few 429s', async () => {
    const windowMs = 2000;
    const limit = 20;
    const sb = await start({ rateLimit: { limit, windowMs } });
    const file = accountsCsv('tight.csv', 40);
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rate', '6000'], { env: sandboxEnv(sb) });
    expect(r.code).toBe(0);
    expectEveryRowOnce(sb, 40);
    const s = summaryOf(r);
    expect(s.rateLimited).toBeLessThanOrEqual(Math.max(1, Math.floor(0.02 * s.requests)));
    expect(sb.stats.rateLimited).toBe(s.rateLimited);
    expect(sb.stats.maxInWindow).toBeLessThanOrEqual(limit);
    expect(sb.stats.maxInWindow).toBeGreaterThanOrEqual(0.9 * limit);
    // Sustained, not only at one moment: the typical window that the run covers whole is >= 90% full.
    const acc = sb.requests.filter((q) => q.status === 200).map((q) => q.at);
    const full = acc.filter((t) => t + windowMs <= acc.at(-1)!).map((t) => acc.filter((u) => u >= t && u < t + windowMs).length);
    full.sort((a, b) => a - b);
    expect(full.length).toBeGreaterThan(10);
    expect(full[Math.floor(full.length / 2)]).toBeGreaterThanOrEqual(0.9 * limit);
  });

  it.each([
    ['with Retry-After', true],
    ['with RateLimit-Reset only', false],
  ])('recovers from a 429 %s: waits, then resumes at the announced pace', async (_name, retryAfter) => {
    const sb = await start({ rateLimit: { limit: 5, windowMs: 1000 }, retryAfter });
    // Another client has just used the whole window.
    for (let i = 0; i < 5; i++) expect((await rest(sb, 'GET', '/resources/accounts')).status).toBe(200);
    const file = accountsCsv(`after-429-${retryAfter}.csv`, 8);
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rate', '6000'], { env: sandboxEnv(sb) });
    expect(r.code).toBe(0);
    expectEveryRowOnce(sb, 8);
    expect(summaryOf(r).rateLimited).toBeGreaterThanOrEqual(1);
    expect(summaryOf(r).rateLimited).toBeLessThanOrEqual(2);
    expect(sb.stats.rateLimited).toBe(summaryOf(r).rateLimited);
    expect(sb.stats.maxInWindow).toBeLessThanOrEqual(5);
  });
});

describe('timeouts', () => {
  it('an answer slower than --timeout fails the row with a clear message after its retries', async () => {
    // undici checks this timeout on a coarse tick (about half a second), so the answer is much slower.
    const sb = await start({ latencyMs: 2500 });
    const file = accountsCsv('slow.csv', 1);
    const r = await runCli(['push', file, '--object', 'account', '--timeout', '200', '--max-retries', '1', ...FAST], { env: sandboxEnv(sb) });
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({ status: 'failed', httpStatus: null });
    expect(rows(r)[0]!.error).toBe('PUT /resources/accounts/acct-1: no answer within 200 ms (--timeout) (after 2 attempts)');
    expect(sb.requests.map((q) => q.method)).toEqual(['PUT', 'PUT']);
  });

  it('a host that does not complete the connection fails with --connect-timeout named', async () => {
    // A TCP server that accepts and then says nothing: the TLS handshake never completes.
    const silent: Server = createTcpServer(() => {});
    await new Promise<void>((res) => silent.listen(0, '127.0.0.1', res));
    const port = (silent.address() as AddressInfo).port;
    try {
      const file = accountsCsv('connect.csv', 1);
      const r = await runCli(['push', file, '--object', 'account', '--connect-timeout', '200', '--max-retries', '1', ...FAST], {
        env: { VITALLY_BASE_URL: `https://127.0.0.1:${port}`, VITALLY_API_TOKEN: 'sk_test_connect' },
      });
      expect(r.code).toBe(1);
      expect(rows(r)[0]!.error).toBe(
        `PUT /resources/accounts/acct-1: connecting to https://127.0.0.1:${port} took longer than 200 ms (--connect-timeout) (after 2 attempts)`,
      );
    } finally {
      silent.close();
      // Connections the client left open would keep close() waiting.
      await new Promise((res) => setImmediate(res));
    }
  });
});
