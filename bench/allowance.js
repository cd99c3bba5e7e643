// The share of Vitally's allowance a default `push` uses at real latency, against a sliding and a fixed
// window, and what it costs in 429s.
//
// Each case starts a sandbox in this process whose REST window keeps Vitally's documented ratio
// (1,000 requests a minute) on a shorter window, 100 requests per 6 s, so a run crosses ten windows,
// and whose answers come after a real added latency (0, 100, 300 or 800 ms: not scaled). It then runs
// `push <1,000 accounts> --object account --mode insert --json --no-state` in this process with no other
// flag (the defaults: --concurrency, --rate), one POST a row.
//   - sliding: the docs profile: a sliding window, `RateLimit-Limit: 100, 100;window=6`, Reset a delta;
//   - fixed: the live profile's rate limit: a fixed window ("resets 6 s after the first request"),
//     `X-RateLimit-Limit: 100` (no window named), Reset a Unix time in whole seconds.
// "allowance used" = requests accepted / (limit x elapsed / window), elapsed running from the first
// request the sandbox received to the end of the run; "peak in flight" is the most requests the sandbox
// held at once (received, not yet answered).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { createSandbox } from '../dist/sandbox/index.js';

const WINDOW = { limit: 100, windowMs: 6_000 };
const ROWS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-allowance-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export function accountsFile(rows, name = `accounts-${rows}.csv`) {
  const path = join(dir, name);
  const lines = ['externalId,name'];
  for (let i = 1; i <= rows; i++) lines.push(`acc-${i},Account ${i}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

export const KINDS = {
  sliding: { rateLimitWindow: 'sliding', rateLimitHeaders: 'ratelimit', rateLimitReset: 'delta' },
  fixed: { rateLimitWindow: 'fixed', rateLimitHeaders: 'x-ratelimit', rateLimitReset: 'epoch' },
  'fixed-named': { rateLimitWindow: 'fixed', rateLimitHeaders: 'ratelimit', rateLimitReset: 'delta' },
  'sliding-unnamed': { rateLimitWindow: 'sliding', rateLimitHeaders: 'x-ratelimit', rateLimitReset: 'epoch' },
};

/** Run the CLI in this process; returns its exit code, its result lines and the summary. */
export async function push(env, args) {
  let out = '';
  let err = '';
  const io = {
    stdout: { write: (s) => ((out += s), true) },
    stderr: { write: (s) => ((err += s), true) },
    stdin: process.stdin,
    env,
    signals: false,
  };
  const code = await main(['push', ...args, '--json', '--no-state'], io);
  const lines = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { code, results: lines.filter((l) => !l.summary), summary: lines.find((l) => l.summary)?.summary, stderr: err };
}

/** The most requests held at once by a sandbox whose every answer waits `latencyMs`. */
export function peakHeld(arrivals, latencyMs) {
  let peak = 0;
  let head = 0;
  for (let i = 0; i < arrivals.length; i++) {
    while (arrivals[head] <= arrivals[i] - Math.max(latencyMs, 1)) head++;
    peak = Math.max(peak, i - head + 1);
  }
  return peak;
}

export const pct = (x) => `${(x * 100).toFixed(1)}%`;

function allowanceCase(kind, latencyMs, w = WINDOW, rows = ROWS) {
  const label = `${w.limit}/${w.windowMs / 1000} s`;
  return {
    name: `allowance-${kind}-${latencyMs}ms${w === WINDOW ? '' : `-${w.limit}`}`,
    group: 'allowance',
    title: `push, default flags: ${rows} creates, ${kind} window ${label}, latency ${latencyMs} ms`,
    async run() {
      const sb = await createSandbox({ rateLimit: w, latencyMs, ...KINDS[kind] });
      try {
        const file = accountsFile(rows);
        const r = await push({ VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token }, [file, '--object', 'account', '--mode', 'insert']);
        const end = Date.now();
        const arrivals = sb.requests.map((q) => q.at);
        const elapsed = end - arrivals[0];
        const accepted = Object.entries(sb.stats.byStatus)
          .filter(([s]) => Number(s) >= 200 && Number(s) < 300)
          .reduce((n, [, c]) => n + c, 0);
        const inOrder = r.results.every((x, i) => x.row === i + 1);
        return {
          window: `${kind} ${label}`,
          latency: `${latencyMs} ms`,
          rows,
          exit: r.code,
          elapsed: `${(elapsed / 1000).toFixed(1)} s`,
          ideal: `${(((rows / w.limit) * w.windowMs) / 1000).toFixed(1)} s`,
          requests: sb.stats.requests,
          used: pct(accepted / ((w.limit * elapsed) / w.windowMs)),
          '429s': sb.stats.rateLimited,
          '429share': pct(sb.stats.rateLimited / sb.stats.requests),
          maxInWindow: sb.stats.maxInWindow,
          peak: peakHeld(arrivals, latencyMs),
          order: inOrder && r.results.length === rows ? 'yes' : 'NO',
        };
      } finally {
        await sb.close();
      }
    },
  };
}

export const ALLOWANCE_COLUMNS = [
  ['window', 'window'],
  ['latency', 'latency'],
  ['rows', 'rows'],
  ['exit', 'exit'],
  ['elapsed', 'elapsed'],
  ['at the full allowance', 'ideal'],
  ['requests', 'requests'],
  ['allowance used', 'used'],
  ['429s', '429s'],
  ['429 share', '429share'],
  ['max in window', 'maxInWindow'],
  ['peak in flight', 'peak'],
  ['results in input order', 'order'],
];

export const allowanceCases = [
  ...[0, 100, 300, 800].flatMap((ms) => [allowanceCase('sliding', ms), allowanceCase('fixed', ms)]),
  allowanceCase('fixed-named', 300),
  allowanceCase('sliding-unnamed', 300),
  // Vitally's own window, as it is: 400 rows fit in a fraction of one minute.
  allowanceCase('sliding', 300, { limit: 1000, windowMs: 60_000 }),
];
