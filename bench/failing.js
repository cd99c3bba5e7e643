// How fast a run finds out that the server is not there or keeps failing, and how many requests it sends
// it meanwhile: `push <2,000 accounts> --object account --json --no-state`, default flags (5 retries,
// backoff from 500 ms), against
//   - unreachable: a loopback port nothing listens on (every connection refused);
//   - 503-storm: a sandbox answering 503 to every request, after 100 or 800 ms.
// Until the run stops: its exit code, the requests sent, and the time from the start of the command.
import { createServer } from 'node:net';
import { createSandbox } from '../dist/sandbox/index.js';
import { accountsFile, push } from './allowance.js';

const ROWS = 2000;

async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

function failingCase(kind, latencyMs = 0) {
  return {
    name: `failing-${kind}${kind === 'unreachable' ? '' : `-${latencyMs}ms`}`,
    group: 'failing',
    title: `push, default flags, ${ROWS} rows, ${kind === 'unreachable' ? 'a port nothing listens on' : `every request answered 503 after ${latencyMs} ms`}`,
    async run() {
      const file = accountsFile(ROWS);
      let sb;
      let url;
      if (kind === 'unreachable') url = `http://127.0.0.1:${await closedPort()}`;
      else {
        sb = await createSandbox({ failRate: 1, latencyMs, recordRequests: false });
        url = sb.url;
      }
      try {
        const t0 = performance.now();
        const r = await push({ VITALLY_BASE_URL: url, VITALLY_API_TOKEN: sb?.token ?? 'sk_bench' }, [file, '--object', 'account']);
        const ms = performance.now() - t0;
        // With --json, stderr is JSON lines too: the error that stopped the run is {"error":{...}}.
        const reason =
          r.stderr
            .split('\n')
            .filter((l) => l.startsWith('{'))
            .map((l) => JSON.parse(l))
            .find((l) => l.error)?.error.message ?? '';
        return {
          server: kind === 'unreachable' ? 'connection refused' : `503 after ${latencyMs} ms`,
          exit: r.code,
          requests: r.summary?.requests ?? '',
          rowsFailed: r.summary?.failed ?? '',
          time: `${(ms / 1000).toFixed(1)} s`,
          reason: reason
            .replace(/^vitally-sync: /, '')
            .replace(/http:\/\/127\.0\.0\.1:\d+/, 'http://127.0.0.1:<port>')
            .slice(0, 90),
        };
      } finally {
        await sb?.close();
      }
    },
  };
}

export const FAILING_COLUMNS = [
  ['server', 'server'],
  ['exit', 'exit'],
  ['requests sent', 'requests'],
  ['rows failed', 'rowsFailed'],
  ['time to stop', 'time'],
  ['why it stopped', 'reason'],
];

export const failingCases = [failingCase('unreachable'), failingCase('503-storm', 100), failingCase('503-storm', 800)];
