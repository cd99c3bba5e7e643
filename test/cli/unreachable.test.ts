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

/**
 * A push of `csv` to a port nothing listens on (3 attempts a request, no backoff), with its request log:
 * its exit, output and the attempts it logged.
 */
async function pushNowhere(csv: string, ...args: string[]) {
  const dir = tempDir();
  const file = writeTemp(dir, 'accounts.csv', csv);
  const log = join(dir, 'requests.ndjson');
  const port = await closedPort();
  const r = await runCli(['push', file, '--object', 'account', '--json', '--max-retries', '2', '--retry-base-ms', '0', '--log-requests', log, ...args], {
    env: { VITALLY_BASE_URL: `http://127.0.0.1:${port}`, VITALLY_API_TOKEN: 'sk_test_x' },
  });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(`Cannot connect to http://127.0.0.1:${port}: connection refused after 3 attempts`);
  const sent = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { url: string; attempt: number; status: number | null; error: string | null });
  return { r, sent, port };
}

describe('a host that refuses connections', () => {
  it('stops the run after the first row spent its retries, with exit 2 and what to check', async () => {
    const lines = ['externalId,name', ...Array.from({ length: 40 }, (_, i) => `k${i},N${i}`)];
    // One request at a time, so the order of the attempts is known: every row's first, then the seconds.
    // (--types as-read: no trait catalogue to read first, so the first request is a row's.)
    const { r, sent, port } = await pushNowhere(lines.join('\n'), '--concurrency', '1', '--types', 'as-read');
    // Every attempt is in the request log: one row, the first, spent its 3 attempts, and that was the last
    // request sent; no other row got as far as its third.
    expect(sent.every((x) => x.status === null && x.error !== null)).toBe(true);
    const third = sent.filter((x) => x.attempt === 3);
    expect(third.map((x) => x.url)).toEqual([`http://127.0.0.1:${port}/resources/accounts/k0`]);
    expect(sent.at(-1)).toBe(third[0]);
    expect(sent.filter((x) => x.url.endsWith('/k0')).map((x) => x.attempt)).toEqual([1, 2, 3]);
    // The run stopped there: the rows it had not finished are not reported one by one.
    expect(r.json.filter((j) => !('summary' in j))).toEqual([]);
    expect(summaryOf(r)).toMatchObject({ rows: 0, requests: sent.length });
  });

  it('by default the trait catalogue is asked first: it spends its retries, and no row is sent', async () => {
    const { r, sent } = await pushNowhere('externalId,name,mrr\nk1,N1,1\nk2,N2,2\n');
    expect(sent.map((x) => [new URL(x.url).pathname, x.attempt])).toEqual([
      ['/resources/customFields', 1],
      ['/resources/customFields', 2],
      ['/resources/customFields', 3],
    ]);
    expect(summaryOf(r)).toMatchObject({ rows: 0 });
  });
});
