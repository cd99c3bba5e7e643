// The typed readers without network: a Parquet file and a Postgres query through
// `push --dry-run --json --no-state` (read, map, validate, plan, print every request), against the bare
// library reading the same rows (hyparquet row group by row group; pg with pg-cursor, 1000 rows a read,
// pg's own type parsers). Each measurement runs in a fresh child process (bench/child.js), as in
// pipeline.js; the Postgres server (PGlite) runs in a process of its own, started once.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { best, mib, secs } from './pipeline.js';

const SIZES = [100_000, 300_000, 1_000_000];
const PUSH = ['--object', 'account', '--dry-run', '--json', '--no-state'];
const PLANS = ['starter', 'growth', 'enterprise'];
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-bench-sources-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const roundsFor = (rows) => (rows >= 1_000_000 ? 2 : 3);

/** The same accounts as the CSV benchmark, typed: mrr a DOUBLE, seats an INT32, nextRenewalDate a DATE. */
async function parquetFile(rows) {
  const path = join(dir, `accounts-${rows}.parquet`);
  const { parquetWriteFile } = await import('hyparquet-writer');
  const col = (f) => Array.from({ length: rows }, (_, i) => f(i + 1));
  parquetWriteFile({
    filename: path,
    codec: 'SNAPPY',
    columnData: [
      { name: 'externalId', data: col((i) => `acc-${i}`) },
      { name: 'name', data: col((i) => `Account ${i}, Inc`) },
      { name: 'mrr', data: col((i) => (i % 1000) + 0.5) },
      { name: 'seats', data: col((i) => i % 500) },
      { name: 'plan', data: col((i) => PLANS[i % 3]) },
      { name: 'nextRenewalDate', data: col((i) => Date.UTC(2027, i % 9, 15) / 86400000) },
      { name: 'notes', data: col(() => 'said "hi" on a call') },
    ],
    schema: [
      { name: 'root', num_children: 7 },
      { name: 'externalId', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'name', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'mrr', type: 'DOUBLE', repetition_type: 'REQUIRED' },
      { name: 'seats', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'plan', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'nextRenewalDate', type: 'INT32', converted_type: 'DATE', repetition_type: 'REQUIRED' },
      { name: 'notes', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ],
  });
  return path;
}

/** The same accounts as a query of generated rows: numeric, int4, date, text. */
const querySql = (rows) =>
  `SELECT 'acc-' || g AS "externalId", 'Account ' || g || ', Inc' AS name, (g % 1000) + 0.5 AS mrr, g % 500 AS seats,
   (ARRAY['starter','growth','enterprise'])[g % 3 + 1] AS plan, make_date(2027, g % 9 + 1, 15) AS "nextRenewalDate",
   'said "hi" on a call' AS notes FROM generate_series(1, ${rows}) g`;

let server;
/** The PGlite server process, started on first use and stopped when the bench exits. */
function pgServer() {
  server ??= new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./pg-server.js', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
    process.on('exit', () => child.kill());
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`the Postgres server exited (${code})`)));
  });
  return server;
}

function row(format, rows, bare, push) {
  if (push.code !== 0) throw new Error(`push exited ${push.code}`);
  return {
    format,
    rows,
    bare: secs(bare.ms),
    push: secs(push.ms),
    ratio: `${(push.ms / bare.ms).toFixed(2)}x`,
    'rows/s': Math.round(rows / (push.ms / 1000)),
    'bare peak': mib(bare.maxRssKiB),
    'push peak': mib(push.maxRssKiB),
  };
}

const parquetCase = (rows) => ({
  name: `parquet-${rows / 1000}k`,
  group: 'sources',
  title: `${rows}-row Parquet file through push --dry-run --json --no-state, against hyparquet alone`,
  async run() {
    const file = await parquetFile(rows);
    const [bare, push] = await best([['bare-parquet', file], ['cli', 'push', file, ...PUSH]], roundsFor(rows));
    return row('parquet', rows, bare, push);
  },
});

const postgresCase = (rows) => ({
  name: `postgres-${rows / 1000}k`,
  group: 'sources',
  title: `${rows}-row Postgres query (PGlite) through push --dry-run --json --no-state, against pg-cursor alone`,
  async run() {
    const url = await pgServer();
    const sql = querySql(rows);
    const [bare, push] = await best([['bare-postgres', url, sql], ['cli', 'push', url, '--query', sql, ...PUSH]], roundsFor(rows));
    return row('postgres', rows, bare, push);
  },
});

export const sourceCases = [...SIZES.map(parquetCase), ...SIZES.map(postgresCase)];

export const SOURCE_COLUMNS = [
  ['format', 'format'],
  ['rows', 'rows'],
  ['bare reader', 'bare'],
  ['push --dry-run --json', 'push'],
  ['ratio', 'ratio'],
  ['rows/s', 'rows/s'],
  ['bare peak RSS', 'bare peak'],
  ['push peak RSS', 'push peak'],
];
