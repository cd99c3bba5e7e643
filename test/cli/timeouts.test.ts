/**
 * `push` against answers that never come in time: a slow answer (--timeout) and a host that never
 * completes the connection (--connect-timeout). Each test waits for its timeout, so they live apart from
 * faults.test.ts and run beside it.
 */
import { createServer as createTcpServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { rows, runCli, sandboxEnv } from '../helpers/cli.js';
import { FAST, faultSandboxes } from '../helpers/faults.js';

const { start, accountsCsv } = faultSandboxes();

// Each test has its own sandbox and waits on its own window or timeout: they wait side by side.
describe.concurrent('timeouts', () => {
  it('an answer slower than --timeout fails the row with a clear message after its retries', async () => {
    // undici checks this timeout on a coarse tick (about half a second), so the answer is much slower.
    const sb = await start({ latencyMs: 2500 });
    const file = accountsCsv('slow.csv', 1);
    const r = await runCli(['push', file, '--object', 'account', '--timeout', '200', '--max-retries', '1', ...FAST, '--types', 'as-read'], {
      env: sandboxEnv(sb),
    });
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
      const r = await runCli(['push', file, '--object', 'account', '--connect-timeout', '200', '--max-retries', '1', ...FAST, '--types', 'as-read'], {
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
