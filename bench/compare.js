// What each comparison costs (--compare none, state, vitally), counted in requests and in minutes of
// Vitally's allowance (1,000 requests a minute), end to end through the CLI against a sandbox:
//   - first load: 100,000 accounts into an empty workspace;
//   - daily re-run without a state file: the workspace holds the 100,000 accounts, 1% of the rows changed;
//   - the bulk goal: 100,000 accounts of which 10% changed, --compare vitally --via analytics --verify;
//   - memory: peak RSS of the re-run compared with Vitally (a child process), against the same run
//     without a listing.
// The sandbox answers as the live profile says (records and list ends as production clients see them).
// The window is Vitally's sped up 20 times (1,000 requests per 3 s, REST and Analytics alike). The runs
// that cost one or two requests a row are measured on their first 5,000 rows and scaled (their cost is
// linear); the others run whole. The workspace of a re-run is seeded straight into the sandbox's store.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { createSandbox } from '../dist/sandbox/index.js';
import { blankFields } from '../dist/sandbox/store.js';

const ROWS = 100_000;
const SAMPLE = 5_000;
const FAST = { limit: 1000, windowMs: 3_000 };
const WIDE = { limit: 10_000_000, windowMs: 60_000 };
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-compare-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const PLANS = ['starter', 'growth', 'enterprise'];
/** The file: `rows` accounts; `changed` of every 100 rows (spread evenly) carry another mrr than the workspace. */
function accounts(name, rows, changedPerHundred = 0) {
  const lines = ['externalId,name,mrr,plan'];
  for (let i = 1; i <= rows; i++) {
    const mrr = i % 100 < changedPerHundred ? (i % 1000) + 1 : i % 1000;
    lines.push(`acc-${i},Account ${i},${mrr},${PLANS[i % 3]}`);
  }
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

/** The workspace of a re-run: the accounts as the unchanged file has them, straight into the store. */
function seed(sb, rows) {
  for (let i = 1; i <= rows; i++) {
    sb.store.insert('accounts', `acc-${i}`, { ...blankFields('accounts'), name: `Account ${i}`, traits: { mrr: i % 1000, plan: PLANS[i % 3] } });
  }
}

const sandbox = (seeded = 0, rate = FAST) =>
  createSandbox({ profile: 'live', rateLimit: rate, analyticsRateLimit: rate, recordRequests: false }).then((sb) => (seed(sb, seeded), sb));

const envOf = (sb) => ({ VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken });

/** Run the CLI in this process; the summary and the time. */
async function push(sb, args) {
  let out = '';
  const io = {
    stdout: { write: (s) => ((out = out.length > 1e6 ? out.slice(-1e5) : out + s), true) },
    stderr: { write: () => true },
    stdin: process.stdin,
    env: envOf(sb),
    signals: false,
  };
  const t0 = performance.now();
  const code = await main(['push', ...args, '--json', '--quiet', '--rate', '100000'], io);
  const ms = performance.now() - t0;
  const line = out
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"summary"'));
  return { code, ms, summary: JSON.parse(line).summary };
}

/** The same push in a child process (its peak RSS is the command's own): bench/child.js. */
function child(sb, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['bench/child.js', 'cli', 'push', ...args, '--json', '--quiet', '--rate', '100000'], {
      env: { ...process.env, ...envOf(sb) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', () => {
      const line = err
        .trim()
        .split('\n')
        .reverse()
        .find((l) => l.startsWith('{"bench"'));
      if (!line) reject(new Error(`child failed: ${err.slice(-500)}`));
      else resolve(JSON.parse(line).bench);
    });
  });
}

const allowance = (requests) => {
  const min = requests / 1000;
  return min >= 10 ? `${min.toFixed(0)} min` : `${min.toFixed(1)} min`;
};
const secs = (ms) => (ms >= 120_000 ? `${(ms / 60_000).toFixed(1)} min` : `${(ms / 1000).toFixed(1)} s`);

/**
 * One comparison on one scenario. `sample`: measured on the first SAMPLE rows and scaled to ROWS, but
 * for the listing, whose cost is that of the workspace (`seeded` records), measured apart as it is.
 */
function compareCase(scenario, title, { seeded, changed, compare, extra = [], sample }) {
  return {
    name: `compare-${scenario}-${compare}${extra.includes('analytics') ? '-analytics' : ''}`,
    group: 'compare',
    title,
    async run() {
      const sb = await sandbox(seeded);
      try {
        const rows = sample ? SAMPLE : ROWS;
        const file = accounts(`${scenario}-${compare}-${rows}.csv`, rows, changed);
        // The runs without a state file have none; --compare state starts from an empty one.
        const state = compare === 'state' ? ['--state', join(dir, `${scenario}-${Date.now()}.db`)] : ['--no-state'];
        const r = await push(sb, [file, '--object', 'account', '--compare', compare, ...state, ...extra]);
        const s = r.summary;
        const listing = s.compare?.listRequests ?? 0;
        const scale = ROWS / rows;
        const requests = Math.round((s.requests - listing) * scale) + listing;
        const verify = s.verify ? `; verified: ${s.verify.landed} landed, ${s.verify.notLanded} not, ${s.verify.requests} requests` : '';
        return {
          rows: ROWS,
          comparison: `${compare}${extra.length ? ` ${extra.join(' ')}` : ''}`,
          requests: `${requests}${sample ? ` (${s.requests} for ${SAMPLE} rows, scaled)` : ''}`,
          allowance: allowance(requests),
          measured: `${secs(sample ? r.ms * scale : r.ms)}${sample ? ' (scaled)' : ''}`,
          note: `exit ${r.code}; ${s.ok} ok, ${s.skipped} skipped, ${s.accepted} accepted, ${s.failed} failed (of ${rows}); ${listing} listing requests; ${s.rateLimited} 429s${verify}`,
        };
      } finally {
        await sb.close();
      }
    },
  };
}

const FIRST = 'first load, 100,000 accounts into an empty workspace';
const RERUN = 'daily re-run without a state file, 1% of rows changed';

export const compareCases = [
  compareCase('first-load', FIRST, { seeded: 0, changed: 0, compare: 'none', sample: true }),
  compareCase('first-load', FIRST, { seeded: 0, changed: 0, compare: 'state', sample: true }),
  compareCase('first-load', FIRST, { seeded: 0, changed: 0, compare: 'vitally', sample: true }),
  compareCase('first-load', FIRST, { seeded: 0, changed: 0, compare: 'vitally', extra: ['--via', 'analytics', '--verify'] }),
  compareCase('rerun-1pct', RERUN, { seeded: ROWS, changed: 1, compare: 'none', sample: true }),
  compareCase('rerun-1pct', RERUN, { seeded: ROWS, changed: 1, compare: 'state', sample: true }),
  compareCase('rerun-1pct', RERUN, { seeded: ROWS, changed: 1, compare: 'vitally' }),
  compareCase('rerun-1pct', RERUN, { seeded: ROWS, changed: 1, compare: 'vitally', extra: ['--via', 'analytics', '--verify'] }),
  compareCase('goal-10pct', '100,000 accounts, 10% changed, landed and verified (goal: under 3 minutes of allowance)', {
    seeded: ROWS,
    changed: 10,
    compare: 'vitally',
    extra: ['--via', 'analytics', '--verify'],
  }),
  {
    name: 'compare-memory-100k',
    group: 'compare',
    title: 'peak RSS of the re-run (100,000 accounts, 1% changed) with a listing of the workspace, against none',
    async run() {
      const sb = await sandbox(ROWS, WIDE);
      try {
        const file = accounts('memory.csv', ROWS, 1);
        const listed = await child(sb, [file, '--object', 'account', '--compare', 'vitally', '--no-state']);
        // The same rows sent without a listing (every one a PUT): the run's memory without the comparison.
        const none = await child(sb, [file, '--object', 'account', '--compare', 'none', '--no-state']);
        const mib = (k) => `${Math.round(k / 1024)} MiB`;
        return {
          rows: ROWS,
          comparison: 'vitally vs none',
          requests: '',
          allowance: '',
          measured: `${secs(listed.ms)} vs ${secs(none.ms)} (no rate limit)`,
          rss: `${mib(listed.maxRssKiB)} vs ${mib(none.maxRssKiB)}`,
          note: `the listing of 100,000 accounts is kept in a temporary SQLite database, not in the heap (exit ${listed.code} and ${none.code})`,
        };
      } finally {
        await sb.close();
      }
    },
  },
];

export const COMPARE_COLUMNS = [
  ['rows', 'rows'],
  ['comparison', 'comparison'],
  ['requests', 'requests'],
  ["at Vitally's 1,000/min", 'allowance'],
  ['measured at 1,000/3 s', 'measured'],
  ['peak RSS', 'rss'],
];
