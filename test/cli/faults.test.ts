/**
 * `push` against a sandbox that misbehaves: injected 503s, dropped connections, lost answers, answers
 * that are final. Assertions read what the sandbox received and stored; --retry-base-ms 1 keeps the
 * backoff short, so nothing sleeps long. Rate limits and timeouts, which wait, have files of their own.
 */
import { describe, expect, it } from 'vitest';
import { rows, runCli, sandboxEnv, summaryOf, writeTemp } from '../helpers/cli.js';
import { appliedWrites, expectEveryRowOnce, FAST, faultSandboxes, keyOf } from '../helpers/faults.js';

const { start, accountsCsv, dir } = faultSandboxes();

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
    const file = writeTemp(dir(), 'bad-org.csv', 'externalId,name,organizationId\nok-1,One,\nbad-1,Bad,no-such-org\nok-2,Two,\n');
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
