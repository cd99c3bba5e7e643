import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('a host that refuses connections', () => {
  it('stops the run after the first row spent its retries, with exit 2 and what to check', async () => {
    const dir = tempDir();
    const lines = ['externalId,name', ...Array.from({ length: 40 }, (_, i) => `k${i},N${i}`)];
    const file = writeTemp(dir, 'many.csv', lines.join('\n'));
    const log = join(dir, 'requests.ndjson');
    const port = await closedPort();
    // One request at a time, so the order of the attempts is known: every row's first, then the seconds.
    const args = ['--max-retries', '2', '--retry-base-ms', '0', '--concurrency', '1', '--log-requests', log];
    const r = await runCli(['push', file, '--object', 'account', '--json', ...args], {
      env: { VITALLY_BASE_URL: `http://127.0.0.1:${port}`, VITALLY_API_TOKEN: 'sk_test_x' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Cannot connect to http://127.0.0.1:${port}: connection refused after 3 attempts`);
    // Every attempt is in the request log: one row, the first, spent its 3 attempts, and that was the last
    // request sent; no other row got as far as its third.
    const sent = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { url: string; attempt: number; status: number | null; error: string | null });
    expect(sent.every((x) => x.status === null && x.error !== null)).toBe(true);
    const third = sent.filter((x) => x.attempt === 3);
    expect(third.map((x) => x.url)).toEqual([`http://127.0.0.1:${port}/resources/accounts/k0`]);
    expect(sent.at(-1)).toBe(third[0]);
    expect(sent.filter((x) => x.url.endsWith('/k0')).map((x) => x.attempt)).toEqual([1, 2, 3]);
    // The run stopped there: the rows it had not finished are not reported one by one.
    expect(r.json.filter((j) => !('summary' in j))).toEqual([]);
    expect(summaryOf(r)).toMatchObject({ rows: 0, requests: sent.length });
  });
});
