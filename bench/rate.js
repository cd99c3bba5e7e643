// Rate-limit benchmarks: how much of a sliding-window allowance the sender uses, and at what cost in 429s.
//
// Each case starts a sandbox in this process with a window of LIMIT requests per WINDOW_MS, optionally
// with added latency, and creates ROWS accounts through it (one POST each):
//   - paced: the CLI's own sender (createSender, as `push` builds it) with --rate 6000 (above the server's
//     window, so the pacer must find the limit in the headers) and the default --concurrency (a ceiling:
//     the pacer sizes the number in flight from the latency), fed by as many row tasks at once as the
//     run's ordered window holds;
//   - naive: one request at a time, no pacing, in a plain undici loop that waits what the 429 says
//     (Retry-After, else RateLimit-Reset, else 1 s) before retrying.
// "allowance used" = requests accepted / (LIMIT x elapsed / WINDOW): 100% is the window's full rate. A
// client that bursts can score a little over 100% on a short run (the first window is free), one that
// paces evenly at most 100%. "in flight" is the most requests the sandbox held at once.
import { Pool } from 'undici';
import { createSender } from '../dist/api/sender.js';
import { resolveNet } from '../dist/config/net.js';
import { createSandbox } from '../dist/sandbox/index.js';
import { peakHeld } from './allowance.js';

const WIDE = { limit: 300, windowMs: 10_000 };
const TIGHT = { limit: 20, windowMs: 2_000 };
const ROWS = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const body = (i) => JSON.stringify({ externalId: `bench-${i}`, name: `Bench ${i}` });

async function paced(sb, rows) {
  const net = resolveNet({ rate: '6000' });
  const sender = createSender({ net }, { baseUrl: sb.url, token: sb.token, tokenSource: 'the sandbox token' });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < rows) {
      const i = next++;
      try {
        await sender.send({ method: 'POST', path: '/resources/accounts', body: body(i) });
      } catch {
        failed++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.max(64, net.concurrency * 16) }, worker));
  const elapsed = performance.now() - t0;
  await sender.http.close();
  sender.pacer.close();
  return { elapsed, failed, retries: sender.stats.retries };
}

async function naive(sb, rows) {
  const pool = new Pool(sb.url, { connections: 1 });
  const authorization = `Basic ${Buffer.from(`${sb.token}:`).toString('base64')}`;
  let retries = 0;
  const t0 = performance.now();
  for (let i = 0; i < rows; i++) {
    for (;;) {
      const res = await pool.request({
        method: 'POST',
        path: '/resources/accounts',
        headers: { authorization, 'content-type': 'application/json' },
        body: body(i),
      });
      await res.body.text();
      if (res.statusCode !== 429) break;
      retries++;
      const hint = Number(res.headers['retry-after'] ?? res.headers['ratelimit-reset'] ?? 1);
      await sleep(hint * 1000);
    }
  }
  const elapsed = performance.now() - t0;
  await pool.close();
  return { elapsed, failed: 0, retries };
}

function rateCase(kind, latencyMs, rows = ROWS, w = WIDE, suffix = '') {
  const { limit: LIMIT, windowMs: WINDOW_MS } = w;
  return {
    name: `rate-${kind}-${latencyMs}ms${suffix}`,
    group: 'rate',
    title: `${kind === 'paced' ? 'the sender' : 'one at a time, no pacing'}: ${rows} creates, window ${LIMIT}/${WINDOW_MS / 1000} s, latency ${latencyMs} ms`,
    async run() {
      const sb = await createSandbox({ rateLimit: { limit: LIMIT, windowMs: WINDOW_MS }, latencyMs });
      try {
        const r = await (kind === 'paced' ? paced(sb, rows) : naive(sb, rows));
        const accepted = Object.entries(sb.stats.byStatus)
          .filter(([s]) => Number(s) >= 200 && Number(s) < 300)
          .reduce((n, [, c]) => n + c, 0);
        const allowance = (LIMIT * r.elapsed) / WINDOW_MS;
        const limited = sb.stats.rateLimited;
        return {
          window: `${LIMIT}/${WINDOW_MS / 1000} s`,
          latency: `${latencyMs} ms`,
          concurrency: peakHeld(
            sb.requests.map((q) => q.at),
            latencyMs,
          ),
          rows,
          elapsed: `${(r.elapsed / 1000).toFixed(1)} s`,
          requests: sb.stats.requests,
          accepted,
          used: `${((accepted / allowance) * 100).toFixed(1)}%`,
          usedRaw: accepted / allowance,
          '429s': limited,
          '429share': `${((limited / sb.stats.requests) * 100).toFixed(2)}%`,
          retries: r.retries,
          maxInWindow: sb.stats.maxInWindow,
          rps: rows / (r.elapsed / 1000),
          kind,
          latencyMs,
          tight: w === TIGHT,
          failed: r.failed,
          rowsPerS: (rows / (r.elapsed / 1000)).toFixed(1),
        };
      } finally {
        await sb.close();
      }
    },
  };
}

export const RATE_COLUMNS = [
  ['window', 'window'],
  ['latency', 'latency'],
  ['in flight', 'concurrency'],
  ['rows', 'rows'],
  ['elapsed', 'elapsed'],
  ['requests', 'requests'],
  ['accepted', 'accepted'],
  ['allowance used', 'used'],
  ['429s', '429s'],
  ['429 share', '429share'],
  ['retries', 'retries'],
  ['max in window', 'maxInWindow'],
  ['failed rows', 'failed'],
  ['rows/s', 'rowsPerS'],
];

/** Lines under the table: the sender against the naive loop at the same latency. */
export function rateNotes(rows) {
  const out = [];
  for (const p of rows.filter((r) => r.kind === 'paced' && !r.tight)) {
    const n = rows.find((r) => r.kind === 'naive' && r.latencyMs === p.latencyMs);
    if (n)
      out.push(
        `- ${p.latency} latency: the sender moves ${(p.rps / n.rps).toFixed(2)}x the rows per second of the naive loop (${p.used} of the allowance against ${n.used}).`,
      );
  }
  return out;
}

export const rateCases = [
  rateCase('paced', 0),
  rateCase('paced', 100),
  rateCase('naive', 0),
  // One at a time at 100 ms is ~10 requests a second whatever the window: 300 rows show the rate.
  rateCase('naive', 100, 300),
  // A window as tight as a test's: 20 per 2 s (the pacer before this change used 79% of it).
  rateCase('paced', 50, 240, TIGHT, '-tight'),
];
