// Run one CLI command (or a bare csv-parse / NDJSON parse) in this process, then report the process's
// peak memory and time on stderr as one JSON line. Used by the pipeline benchmarks so each measurement
// gets a fresh process: `node bench/child.js cli push ...` or `node bench/child.js bare-csv <file>`
// (also bare-ndjson, bare-json, bare-csv-gz, bare-parquet <file>, bare-postgres <url> <sql>).
// The stages of a push, each alone: `read <file>` iterates the project's reader (readRecords), `sync
// <file>` runs runSync as a dry-run upsert of accounts (read, map, validate, plan) without printing.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

const [what, ...args] = process.argv.slice(2);
// Module loading is a fixed cost, not a per-row one: the clock starts once the code is loaded.
const { main } = what === 'cli' ? await import('../dist/cli/main.js') : { main: null };
const { readRecords } = what === 'read' ? await import('../dist/source/index.js') : {};
const sync = what === 'sync' ? await import('../dist/sync/run.js') : undefined;
const objects = what === 'sync' ? await import('../dist/objects/index.js') : undefined;
const t0 = performance.now();
let code = 0;
if (what === 'cli') {
  code = await main(args);
} else if (what === 'bare-csv') {
  let n = 0;
  for await (const _ of createReadStream(args[0]).pipe(parse({ columns: true }))) n++;
  process.stdout.write(`${n}\n`);
} else if (what === 'bare-ndjson') {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(args[0]), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    JSON.parse(line);
    n++;
  }
  process.stdout.write(`${n}\n`);
} else if (what === 'bare-json') {
  // The whole file read and parsed at once, as JSON.parse must.
  const { readFileSync } = await import('node:fs');
  process.stdout.write(`${JSON.parse(readFileSync(args[0], 'utf8')).length}\n`);
} else if (what === 'bare-csv-gz') {
  const { createGunzip } = await import('node:zlib');
  let n = 0;
  for await (const _ of createReadStream(args[0])
    .pipe(createGunzip())
    .pipe(parse({ columns: true })))
    n++;
  process.stdout.write(`${n}\n`);
} else if (what === 'bare-parquet') {
  // hyparquet alone, row group by row group (as the reader reads), every row built as an object.
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } = await import('hyparquet');
  const { compressors } = await import('hyparquet-compressors');
  const file = await asyncBufferFromFile(args[0]);
  const metadata = await parquetMetadataAsync(file);
  let n = 0;
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    n += (await parquetReadObjects({ file, metadata, compressors, rowStart: start, rowEnd: end })).length;
    start = end;
  }
  process.stdout.write(`${n}\n`);
} else if (what === 'bare-postgres') {
  // pg with pg-cursor alone: 1000 rows a read, pg's own type parsers.
  const { default: pg } = await import('pg');
  const { default: Cursor } = await import('pg-cursor');
  const client = new pg.Client({ connectionString: args[0] });
  await client.connect();
  const cursor = client.query(new Cursor(args[1]));
  let n = 0;
  for (let rows = await cursor.read(1000); rows.length > 0; rows = await cursor.read(1000)) n += rows.length;
  await cursor.close();
  await client.end();
  process.stdout.write(`${n}\n`);
} else if (what === 'read') {
  let n = 0;
  for await (const _ of readRecords({ path: args[0] })) n++;
  process.stdout.write(`${n}\n`);
} else if (what === 'sync') {
  const run = sync.runSync({ spec: objects.getObject('account'), mode: 'upsert', source: { path: args[0] }, mapper: {}, dryRun: true, window: 64 }, {});
  let n = 0;
  for (let step = await run.next(); !step.done; step = await run.next()) n += step.value.length;
  process.stdout.write(`${n}\n`);
} else throw new Error(`unknown child task ${what}`);
const ms = performance.now() - t0;
process.stderr.write(`\n${JSON.stringify({ bench: { ms, maxRssKiB: process.resourceUsage().maxRSS, code } })}\n`);
process.exitCode = code;
