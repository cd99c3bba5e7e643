/**
 * Ctrl-C and SIGTERM on the real binary (bin/vitally-sync.js runs dist/, which `npm test` builds first)
 * against a sandbox in this process: the first signal stops reading and drains, the second stops at once;
 * a run stopped (or killed) while --verify looks for its rows leaves them to the next run.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { assertBuilt, jsonLines as lines, startCli as run } from '../helpers/child.js';
import { tempDir, writeTemp } from '../helpers/cli.js';

let dir: string;
let sb: Sandbox | undefined;

beforeAll(() => {
  assertBuilt();
  dir = tempDir();
});
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

function accounts(n: number): string {
  return writeTemp(dir, `signal-${n}.csv`, ['externalId,name', ...Array.from({ length: n }, (_, i) => `sig-${i + 1},Signal ${i + 1}`)].join('\n') + '\n');
}

describe('stopping a run', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('the first %s stops reading, finishes the requests in flight, prints the summary and exits 130', async (signal) => {
    sb = await createSandbox({ latencyMs: 100, rateLimit: { limit: 100_000, windowMs: 60_000 } });
    const total = 400;
    const child = run(
      ['push', accounts(total), '--object', 'account', '--mode', 'insert', '--json', '--types', 'as-read', '--rate', '100000', '--concurrency', '4'],
      {
        VITALLY_BASE_URL: sb.url,
        VITALLY_API_TOKEN: sb.token,
      },
    );
    await child.until(({ stdout }) => stdout.includes('"row":'));
    child.kill(signal);
    expect(await child.code).toBe(130);

    const out = lines(child.stdout());
    const results = out.filter((l) => !('summary' in l));
    const summary = out.find((l) => 'summary' in l)?.summary;
    expect(summary).toMatchObject({ interrupted: true });
    expect(summary.rows).toBe(results.length);
    expect(child.stderr()).toContain('Stopping: no new rows are read');
    // It stopped early, and the results it printed are the first rows, in order.
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThan(total);
    expect(results.map((r) => r.row)).toEqual(results.map((_, i) => i + 1));
    // Nothing lost, nothing half-done: every row reported ok is in Vitally, no other row is, and every
    // row not sent says so.
    const ok = results.filter((r) => r.status === 'ok');
    expect(ok.length).toBeGreaterThan(0);
    for (const r of ok) expect(sb.store.get('accounts', r.key)).toMatchObject({ id: r.id, name: r.key.replace('sig-', 'Signal ') });
    expect(sb.store.all('accounts')).toHaveLength(ok.length);
    for (const r of results.filter((x) => x.status !== 'ok')) {
      // Not a failure: skipped, and so kept out of the rejects file; the next run sends it.
      expect([r.status, r.action]).toEqual(['skipped', 'interrupted']);
      expect(r.error).toMatch(/interrupted before it was sent/);
      expect(sb.store.get('accounts', r.key)).toBeUndefined();
    }
    expect(sb.stats.writes).toBe(ok.length);
  });

  it('a second signal stops at once, without waiting for the answers in flight', async () => {
    sb = await createSandbox({ latencyMs: 20_000 });
    const child = run(['push', accounts(20), '--object', 'account', '--json', '--types', 'as-read'], { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token });
    const server = sb;
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (server.stats.requests > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 10);
    });
    child.kill('SIGINT');
    await child.until(({ stderr }) => stderr.includes('Stopping'));
    child.kill('SIGINT');
    expect(await child.code).toBe(130);
    // The answer to the request in flight would take 20 s: no result and no summary were printed.
    expect(lines(child.stdout())).toEqual([]);
  });
});

describe('stopping a run while --verify looks for the rows', () => {
  it.each(['SIGINT', 'SIGKILL'] as const)(
    'after %s, the rows the Analytics API accepted are not skipped as sent: the next run sends them again',
    async (signal) => {
      // Vitally applies nothing while the run looks: the rows never show before the run is stopped.
      sb = await createSandbox({ analyticsApply: 'deferred', analyticsDelayMs: 600_000, rateLimit: { limit: 100_000, windowMs: 60_000 } });
      const env = { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken };
      const file = accounts(3);
      const state = `${dir}/verify-${signal}.db`;
      const child = run(['push', file, '--object', 'account', '--via', 'analytics', '--verify', '--verify-interval-ms', '20', '--state', state, '--json'], env);
      await child.until(({ stderr }) => stderr.includes('Verifying:'));
      child.kill(signal);
      await child.code;
      expect(sb.store.all('accounts')).toEqual([]);

      const again = run(['push', file, '--object', 'account', '--via', 'analytics', '--state', state, '--compare', 'state', '--json'], env);
      expect(await again.code).toBe(0);
      const results = lines(again.stdout()).filter((l) => !('summary' in l));
      expect(results.map((r) => [r.key, r.status])).toEqual([
        ['sig-1', 'accepted'],
        ['sig-2', 'accepted'],
        ['sig-3', 'accepted'],
      ]);
    },
  );
});
