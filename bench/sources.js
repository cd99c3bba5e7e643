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
import { best, compared, fileFor, PIPELINE_COLUMNS, PUSH, roundsFor } from './pipeline.js';

const SIZES = [100_000, 300_000, 1_000_000];
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-bench-sources-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** The file is written by a child process: a parent grown by the writer would hand its peak RSS to every child it forks. */
function parquetFile(rows) {
  const path = join(dir, `accounts-${rows}.parquet`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL('./parquet-file.js', import.meta.url)), path, String(rows)], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(path) : reject(new Error(`writing ${path} failed (${code})`))));
  });
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

const parquetCase = (rows) => ({
  name: `parquet-${rows / 1000}k`,
  group: 'sources',
  title: `${rows}-row Parquet file through push --dry-run --json --no-state, against hyparquet alone`,
  async run() {
    const file = await parquetFile(rows);
    const [bare, push] = await best(
      [
        ['bare-parquet', file],
        ['cli', 'push', file, ...PUSH],
      ],
      roundsFor(rows),
    );
    return compared('parquet', rows, bare, push);
  },
});

const postgresCase = (rows) => ({
  name: `postgres-${rows / 1000}k`,
  group: 'sources',
  title: `${rows}-row Postgres query (PGlite) through push --dry-run --json --no-state, against pg-cursor alone`,
  async run() {
    const url = await pgServer();
    const sql = querySql(rows);
    const [bare, push] = await best(
      [
        ['bare-postgres', url, sql],
        ['cli', 'push', url, '--query', sql, ...PUSH],
      ],
      roundsFor(rows),
    );
    return compared('postgres', rows, bare, push);
  },
});

/** A generated accounts file through push, against a bare read of it (`bare` names it in child.js). */
const fileCase = (format, bare, against) => (rows) => ({
  name: `${format.replace('.', '-')}-${rows / 1000}k`,
  group: 'sources',
  title: `${rows}-row ${format} file through push --dry-run --json --no-state, against ${against}`,
  async run() {
    const file = await fileFor(format, rows);
    const [bareRun, push] = await best(
      [
        [bare, file],
        ['cli', 'push', file, ...PUSH],
      ],
      roundsFor(rows),
    );
    return compared(format, rows, bareRun, push);
  },
});

/** A JSON array of the NDJSON cases' accounts, streamed by push, against JSON.parse of the whole file. */
const jsonCase = fileCase('json', 'bare-json', 'JSON.parse of the whole file');
/** The CSV cases' file gzip-compressed, against gunzip piped into csv-parse. */
const gzipCase = fileCase('csv.gz', 'bare-csv-gz', 'gunzip into csv-parse');

export const sourceCases = [...SIZES.map(parquetCase), ...SIZES.map(postgresCase), ...SIZES.map(jsonCase), ...[300_000, 1_000_000].map(gzipCase)];

/** As the pipeline table, the bare side being a library's reader rather than a parse. */
export const SOURCE_COLUMNS = PIPELINE_COLUMNS.map(([header, key]) => [key === 'bare' ? 'bare reader' : header, key]);
