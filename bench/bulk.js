// Incremental runs and the bulk path, end to end through the CLI (in this process) against a sandbox:
//   - state-rerun: 100,000 accounts loaded, then the same file again with the state store: requests
//     sent by the second run (goal 0) and its time;
//   - bulk-rest / bulk-analytics: 100,000 accounts into an empty workspace at the same rate limit, REST
//     (upsert: PUT, then POST on 404) against --via analytics (batches of 100). The window is Vitally's
//     1,000 requests a minute sped up 20 times (1,000 per 3 s) so the REST run ends in minutes; REST is
//     measured on its first 5,000 rows (its cost is linear: one record a request), and both are also
//     given as the time they would take at the real 1,000 a minute.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { createSandbox } from '../dist/sandbox/index.js';

const ROWS = 100_000;
const REST_SAMPLE = 5_000;
const FAST = { limit: 1000, windowMs: 3_000 };
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-bulk-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function accounts(rows, name) {
  const path = join(dir, name);
  const lines = ['externalId,name,mrr,plan'];
  for (let i = 1; i <= rows; i++) lines.push(`acc-${i},Account ${i},${i % 1000},${['starter', 'growth', 'enterprise'][i % 3]}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const sink = { write: () => true };

/** Run the CLI in this process; returns the summary and the time. */
async function push(sb, args) {
  let out = '';
  const io = {
    stdout: { write: (s) => ((out = out.length > 1e6 ? out.slice(-1e5) : out + s), true) },
    stderr: sink,
    stdin: process.stdin,
    env: { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken },
    signals: false,
  };
  const t0 = performance.now();
  const code = await main(['push', ...args, '--json', '--quiet'], io);
  const ms = performance.now() - t0;
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"summary"'));
  return { code, ms, summary: JSON.parse(line).summary };
}

const min = (ms) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(0)} min` : `${(ms / 1000).toFixed(1)} s`);

export const bulkCases = [
  {
    name: 'state-rerun-100k',
    group: 'bulk',
    title: '100,000 accounts, then the unchanged file again with the state store',
    async run() {
      const sb = await createSandbox({ rateLimit: { limit: 1_000_000, windowMs: 60_000 }, recordRequests: false });
      try {
        const file = accounts(ROWS, 'state.csv');
        const state = join(dir, 'state.db');
        const first = await push(sb, [file, '--object', 'account', '--via', 'analytics', '--state', state, '--rate', '100000']);
        const before = sb.stats.requests;
        const again = await push(sb, [file, '--object', 'account', '--via', 'analytics', '--state', state]);
        return {
          rows: ROWS,
          path: 'load: --via analytics; re-run: same',
          requests: `${first.summary.requests} then ${again.summary.requests} (sandbox saw ${sb.stats.requests - before})`,
          time: `${min(first.ms)} then ${min(again.ms)}`,
          'rows/s': `${Math.round(ROWS / (again.ms / 1000))} (re-run)`,
          note: `the re-run skipped ${again.summary.skipped} rows and sent nothing`,
        };
      } finally {
        await sb.close();
      }
    },
  },
  {
    name: 'bulk-rest-vs-analytics',
    group: 'bulk',
    title: '100,000 accounts into an empty workspace: REST against --via analytics at the same window',
    async run() {
      const sbA = await createSandbox({ rateLimit: FAST, analyticsRateLimit: FAST, recordRequests: false });
      const sbR = await createSandbox({ rateLimit: FAST, recordRequests: false });
      try {
        const all = accounts(ROWS, 'bulk.csv');
        const sample = accounts(REST_SAMPLE, 'bulk-sample.csv');
        const analytics = await push(sbA, [all, '--object', 'account', '--via', 'analytics', '--no-state', '--rate', '100000']);
        const rest = await push(sbR, [sample, '--object', 'account', '--no-state', '--rate', '100000', '--concurrency', '8']);
        const restPerRow = rest.summary.requests / REST_SAMPLE;
        const restRequests = Math.round(restPerRow * ROWS);
        const ratio = restRequests / analytics.summary.requests;
        const real = (requests) => min((requests / 1000) * 60_000);
        return {
          rows: ROWS,
          path: `REST upsert (measured on ${REST_SAMPLE}) vs --via analytics`,
          requests: `${restRequests} vs ${analytics.summary.requests} (${ratio.toFixed(0)}x fewer)`,
          time: `${min((rest.ms / REST_SAMPLE) * ROWS)} vs ${min(analytics.ms)} at 1000/3 s; ${real(restRequests)} vs ${real(analytics.summary.requests)} at 1000/min`,
          'rows/s': `${Math.round(REST_SAMPLE / (rest.ms / 1000))} vs ${Math.round(ROWS / (analytics.ms / 1000))}`,
          note: `analytics: ${analytics.summary.accepted} rows accepted, ${analytics.summary.rateLimited} 429s; REST: ${rest.summary.ok} of ${REST_SAMPLE} rows ok, ${rest.summary.rateLimited} 429s, ${restPerRow.toFixed(2)} requests a row (PUT 404 then POST)`,
        };
      } finally {
        await sbA.close();
        await sbR.close();
      }
    },
  },
];

export const BULK_COLUMNS = [
  ['rows', 'rows'],
  ['path', 'path'],
  ['requests', 'requests'],
  ['time', 'time'],
  ['rows/s', 'rows/s'],
];
