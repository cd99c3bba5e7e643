/**
 * SIGTERM (what `timeout` and cron wrappers send) during a long wait a server asked for: the real
 * binary (bin/vitally-sync.js runs dist/, which `npm test` builds first) ends within seconds with its
 * summary and exit 130, instead of sleeping out the Retry-After. The waits here are the real ones (cut
 * to a minute); the test would time out if the run waited them. Many rows waiting on the stop signal at
 * once must not make Node warn of a leak on stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, writeTemp } from '../helpers/cli.js';
import { ROWS_ONLY, accountsCsv, expectNoToken, hostile, json, TOKEN, type Hostile } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vitally-sync.js');

let h: Hostile | undefined;
beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
});
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * Run the binary; resolves with its exit code and output once it exits. `when` sends a signal at the
 * right moment; `started` is handed the child (to signal it from elsewhere).
 */
function run(args: string[], env: Record<string, string>, when: (stderr: string) => boolean, started?: (child: ChildProcess) => void) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started?.(child);
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && when(stderr)) {
      sent = true;
      child.kill('SIGTERM');
    }
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

const lines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('SIGTERM during a wait the server asked for', () => {
  it.each([
    [
      'a 429 with Retry-After: 3600 (cut to a minute)',
      429,
      { status: 'skipped', action: 'interrupted', error: 'not sent: rate-limited (429) when the run was stopping (1 attempt)' },
    ],
    [
      'a 503 with Retry-After: 3600: the row may have been applied, so it fails, in doubt',
      503,
      { status: 'failed', action: 'error', httpStatus: 503, error: 'PUT /resources/accounts/acct-1 answered 503: busy; not retried: the run was stopping' },
    ],
  ] as const)(
    '%s: the run ends within seconds, exit 130, with its summary',
    async (_name, status, first) => {
      h = await hostile((_req, res) => json(res, status, { error: 'busy' }, { 'retry-after': '3600' }));
      const dir = tempDir();
      const r = await run(
        // --rate 1 (one start a minute): the rows behind the first wait in the pacer whatever the machine's
        // load, so the signal always finds them unsent.
        [
          'push',
          ...ROWS_ONLY,
          writeTemp(dir, 'a.csv', accountsCsv(5)),
          '--object',
          'account',
          '--json',
          '--no-state',
          '--rate',
          '1',
          '--rejects',
          join(dir, 'rejects.ndjson'),
        ],
        { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
        // The warning comes with the first answer: the run is now waiting out the Retry-After.
        (stderr) => stderr.includes('retry-after: 3600 asks to wait 3600 s: waits are cut to 60 s'),
      );
      expect(r.code).toBe(130);
      const out = lines(r.stdout);
      const results = out.filter((l) => !('summary' in l));
      expect(results[0]).toMatchObject({ row: 1, key: 'acct-1', ...first });
      // The rows behind it were never sent.
      for (const x of results.slice(1)) expect(x).toMatchObject({ status: 'skipped', action: 'interrupted', error: 'interrupted before it was sent' });
      expect(out.find((l) => 'summary' in l)?.summary).toMatchObject({ interrupted: true, rows: results.length, requests: 1 });
      expect(r.stderr).toContain('Stopping: no new rows are read');
      expect(h.received).toHaveLength(1);
      expectNoToken({ stdout: r.stdout, stderr: r.stderr });
    },
    20_000,
  );
});

describe('SIGTERM during the reads before the rows (the trait catalogue)', () => {
  it.each([
    ['--types auto (the default): the catalogue is read once the first rows are', [], true],
    ['--types vitally', ['--types', 'vitally'], true],
    ['--strict-traits: the catalogue is read before the run starts', ['--strict-traits'], false],
  ] as const)(
    '%s: a 429 on the catalogue with Retry-After: 3600 is not waited out: exit 130, nothing sent',
    async (_name, args, summary) => {
      let child: ChildProcess | undefined;
      // Once the 429 is on its way, the run is waiting out its Retry-After (cut to a minute): signal then.
      h = await hostile((_req, res) => {
        json(res, 429, { error: 'busy' }, { 'retry-after': '3600' });
        setTimeout(() => child?.kill('SIGTERM'), 300);
      });
      const r = await run(
        ['push', writeTemp(tempDir(), 'a.csv', accountsCsv(2)), '--object', 'account', '--json', '--no-state', ...args],
        { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
        () => false,
        (c) => (child = c),
      );
      expect(r.code).toBe(130);
      expect(h.received.map((q) => q.path)).toEqual(['/resources/customFields?model=accounts']);
      // Stopped in the run, the summary says so; stopped while the session opened, the reason alone.
      if (summary) expect(lines(r.stdout).find((l) => 'summary' in l)?.summary).toMatchObject({ interrupted: true, requests: 0 });
      else expect(r.stderr).toContain('"code":"INTERRUPTED"');
      expectNoToken({ stdout: r.stdout, stderr: r.stderr });
    },
    20_000,
  );
});

describe('many rows waiting on the stop signal at once', () => {
  it('30 rows asleep before their retries (503, Retry-After: 2): no warning from Node on stderr, the breaker ends the run', async () => {
    h = await hostile((_req, res) => json(res, 503, { error: 'busy' }, { 'retry-after': '2' }));
    const file = writeTemp(tempDir(), 'accounts.csv', accountsCsv(30));
    const r = await run(
      ['push', file, '--object', 'account', '--no-state', '--max-retries', '2', ...ROWS_ONLY],
      { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
      () => false,
    );
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|\(node:\d+\)/);
    expect(r.stderr).toMatch(/^vitally-sync: The server kept failing/m);
    expect(r.code).toBe(69);
    // Each row was tried before any retry: every one of them was asleep at once.
    expect(h.received.length).toBeGreaterThanOrEqual(30);
  });
});
