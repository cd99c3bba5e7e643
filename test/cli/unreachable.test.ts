import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTemp } from '../helpers/cli.js';

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
    const lines = ['externalId,name', ...Array.from({ length: 40 }, (_, i) => `k${i},N${i}`)];
    const file = writeTemp(tempDir(), 'many.csv', lines.join('\n'));
    const port = await closedPort();
    const r = await runCli(['push', file, '--object', 'account', '--json', '--max-retries', '2', '--retry-base-ms', '1'], {
      env: { VITALLY_BASE_URL: `http://127.0.0.1:${port}`, VITALLY_API_TOKEN: 'sk_test_x' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Cannot connect to http://127.0.0.1:${port}: connection refused after 3 attempts`);
    // Not one failed line per row: the run stopped.
    expect(r.json.filter((j) => !('summary' in j)).length).toBeLessThan(40);
  });
});
