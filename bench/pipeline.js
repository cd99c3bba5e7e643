// Pipeline cost without network: generated files through `push --dry-run --json --no-state` (read, map,
// validate, plan, print every request), against a bare parse of the same file in the same run. Each
// measurement runs in a fresh child process whose output is read through a pipe and thrown away, as
// `| cat > /dev/null` would; peak memory is the child's maximum resident set.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));
const SIZES = [100_000, 300_000, 1_000_000];
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const PLANS = ['starter', 'growth', 'enterprise'];

/** Account `i` of the NDJSON and JSON files. */
const account = (i) => ({
  externalId: `acc-${i}`,
  name: `Account ${i}, Inc`,
  mrr: (i % 1000) + 0.5,
  plan: PLANS[i % 3],
  nextRenewalDate: `2027-0${1 + (i % 9)}-15`,
  notes: 'said "hi" on a call',
});

async function write(path, rows, line) {
  const out = createWriteStream(path);
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    chunk += line(i);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
      chunk = '';
    }
  }
  out.end(chunk);
  await new Promise((r) => out.on('finish', r));
}

const files = new Map();
/**
 * The accounts file of a case: `csv`, `ndjson`, `json` (the NDJSON lines as one array), or any of them
 * gzip-compressed (`csv.gz`), written once per run.
 */
export async function fileFor(format, rows) {
  const key = `${format}-${rows}`;
  if (files.has(key)) return files.get(key);
  const path = join(dir, `accounts-${rows}.${format}`);
  if (format.endsWith('.gz')) {
    const plain = await fileFor(format.slice(0, -3), rows);
    const { createReadStream } = await import('node:fs');
    const { createGzip } = await import('node:zlib');
    const { pipeline } = await import('node:stream/promises');
    await pipeline(createReadStream(plain), createGzip(), createWriteStream(path));
  } else if (format === 'json') {
    let first = true;
    await write(path, rows + 2, (i) => {
      if (i === 1) return '[\n';
      if (i === rows + 2) return ']\n';
      const line = `${first ? '' : ','}${JSON.stringify(account(i - 1))}\n`;
      first = false;
      return line;
    });
  } else if (format === 'csv') {
    const out = createWriteStream(path);
    out.write('externalId,name,mrr,plan,nextRenewalDate,notes\n');
    out.end();
    await new Promise((r) => out.on('finish', r));
    await write(path + '.body', rows, (i) => `acc-${i},"Account ${i}, Inc",${i % 1000}.5,${PLANS[i % 3]},2027-0${1 + (i % 9)}-15,"said ""hi"" on a call"\n`);
    await concat(path, path + '.body');
  } else {
    await write(path, rows, (i) => `${JSON.stringify(account(i))}\n`);
  }
  files.set(key, path);
  return path;
}

async function concat(target, part) {
  const { createReadStream } = await import('node:fs');
  const out = createWriteStream(target, { flags: 'a' });
  await new Promise((resolve, reject) => createReadStream(part).pipe(out).on('finish', resolve).on('error', reject));
  rmSync(part);
}

/** Run the child, drain its stdout, and return its own measurement. */
export function measure(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.on('data', () => {});
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', () => {
      const line = err.split('\n').find((l) => l.startsWith('{"bench"'));
      if (!line) return reject(new Error(`no measurement from ${args.join(' ')}: ${err.slice(-500)}`));
      resolve(JSON.parse(line).bench);
    });
  });
}

export const mib = (kib) => `${(kib / 1024).toFixed(0)} MiB`;
export const secs = (ms) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Run each command `rounds` times, taking turns, and keep each one's fastest time and highest peak
 * memory: on a shared machine a single run can be slowed by a third by a neighbour, and taking turns
 * exposes the commands compared to the same moments.
 */
export async function best(commands, rounds) {
  const out = commands.map(() => ({ ms: Infinity, maxRssKiB: 0, code: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < commands.length; i++) {
      const m = await measure(commands[i]);
      out[i].ms = Math.min(out[i].ms, m.ms);
      out[i].maxRssKiB = Math.max(out[i].maxRssKiB, m.maxRssKiB);
      out[i].code ||= m.code;
    }
  }
  return out;
}

export const PUSH = ['--object', 'account', '--dry-run', '--json', '--no-state'];
export const roundsFor = (rows) => (rows >= 1_000_000 ? 2 : 3);

/** One table row: a push against the bare parse of the same rows (PIPELINE_COLUMNS). */
export function compared(format, rows, bare, push) {
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
function pipelineCase(format, rows) {
  return {
    name: `pipeline-${format}-${rows / 1000}k`,
    group: 'pipeline',
    title: `${rows} ${format.toUpperCase()} rows through push --dry-run --json --no-state, against a bare parse`,
    async run() {
      const file = await fileFor(format, rows);
      const [bare, push] = await best(
        [
          [`bare-${format}`, file],
          ['cli', 'push', file, ...PUSH],
        ],
        roundsFor(rows),
      );
      return compared(format, rows, bare, push);
    },
  };
}

/** The stages of a push, each run alone on the same file: what each one adds to the one before. */
function stagesCase(format, rows) {
  return {
    name: `stages-${format}-${rows / 1000}k`,
    group: 'stages',
    title: `${rows} ${format.toUpperCase()} rows: bare parse, the reader, + map/validate/plan, + printing`,
    async run() {
      const file = await fileFor(format, rows);
      const [bare, read, sync, push] = await best(
        [
          [`bare-${format}`, file],
          ['read', file],
          ['sync', file],
          ['cli', 'push', file, ...PUSH],
        ],
        roundsFor(rows),
      );
      const step = (m, before) => `${secs(m.ms)} (+${((m.ms - before.ms) / bare.ms).toFixed(2)}x)`;
      return {
        format,
        rows,
        bare: secs(bare.ms),
        read: step(read, bare),
        sync: step(sync, read),
        push: step(push, sync),
        ratio: `${(push.ms / bare.ms).toFixed(2)}x`,
      };
    },
  };
}

export const pipelineCases = [
  ...['csv', 'ndjson'].flatMap((f) => SIZES.map((n) => pipelineCase(f, n))),
  ...['csv', 'ndjson'].map((f) => stagesCase(f, 300_000)),
];

export const PIPELINE_COLUMNS = [
  ['format', 'format'],
  ['rows', 'rows'],
  ['bare parse', 'bare'],
  ['push --dry-run --json', 'push'],
  ['ratio', 'ratio'],
  ['rows/s', 'rows/s'],
  ['bare peak RSS', 'bare peak'],
  ['push peak RSS', 'push peak'],
];

export const STAGES_COLUMNS = [
  ['format', 'format'],
  ['rows', 'rows'],
  ['bare parse', 'bare'],
  ['reader (readRecords)', 'read'],
  ['+ map, validate, plan (runSync)', 'sync'],
  ['+ print (push --dry-run --json)', 'push'],
  ['push / bare', 'ratio'],
];
