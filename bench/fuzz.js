// The large inputs of the fuzz corpus (test/fuzz/corpus.ts) through `push --dry-run --json --no-state`,
// each in a fresh child process (bench/child.js): time and peak memory. Not asserted anywhere: the suite
// checks what each input does, this records what it costs. Files are generated here and removed after.
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, mib, secs } from './pipeline.js';

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-fuzz-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Write the pieces `next` gives (strings or Buffers; null at the end) to a file in the bench folder. */
async function write(name, next) {
  const path = join(dir, name);
  const out = createWriteStream(path);
  for (let piece = next(); piece !== null; piece = next()) {
    if (!out.write(piece)) await new Promise((r) => out.once('drain', r));
  }
  out.end();
  await new Promise((r) => out.on('finish', r));
  return path;
}

/** Pieces: the given strings, and `size` bytes of `fill` in 1 MiB pieces where a number stands. */
function pieces(...parts) {
  const queue = [...parts];
  return () => {
    const p = queue.shift();
    if (p === undefined) return null;
    if (typeof p === 'string') return p;
    const n = Math.min(p.size, MiB);
    if (p.size > MiB) queue.unshift({ size: p.size - MiB, fill: p.fill });
    return Buffer.alloc(n, p.fill);
  };
}

const good = (i) => `{"externalId":"good-${i}","name":"Good ${i}"}\n`;

const INPUTS = [
  {
    name: 'fuzz-csv-cell-50mb',
    title: 'CSV with one 50 MB cell between good rows (the read stops at it)',
    make: () => write('cell.csv', pieces('externalId,name,notes\ngood-1,Good 1,a\nbig,Big,', { size: 50 * MiB, fill: 'x' }, '\ngood-2,Good 2,b\n')),
  },
  {
    name: 'fuzz-ndjson-line-20mb',
    title: 'NDJSON with one 20 MB line between good lines',
    make: () => write('line20.ndjson', pieces(good(1), '{"externalId":"huge","notes":"', { size: 20 * MiB, fill: 'y' }, '"}\n', good(2))),
  },
  {
    name: 'fuzz-ndjson-line-50mb',
    title: 'NDJSON with one 50 MB line between good lines',
    make: () => write('line50.ndjson', pieces(good(1), '{"externalId":"huge","notes":"', { size: 50 * MiB, fill: 'z' }, '"}\n', good(2))),
  },
  {
    name: 'fuzz-csv-10k-columns',
    title: '200 CSV rows of 10,000 columns (each row a request body with 9,998 traits)',
    make: () => {
      const names = Array.from({ length: 9998 }, (_, i) => `c${i + 1}`);
      const cells = names.map((_, j) => `v${j % 97}`).join(',');
      let i = 0;
      return write('wide.csv', () => (i === 0 ? (i++, `externalId,name,${names.join(',')}\n`) : i <= 200 ? `good-${i},Good ${i++},${cells}\n` : null));
    },
  },
  {
    name: 'fuzz-ndjson-deep',
    title: '2,000 NDJSON lines, each holding a value 5,000 levels deep (each fails alone)',
    make: () => {
      const deep = `{"externalId":"deep","traits":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}\n`;
      let i = 0;
      return write('deep.ndjson', () => (i++ < 2000 ? deep : null));
    },
  },
];

export const fuzzCases = INPUTS.map((input) => ({
  name: input.name,
  group: 'fuzz',
  title: input.title,
  async run() {
    const file = await input.make();
    const { size } = statSync(file);
    // Two runs; the higher peak and the faster time are kept (the machine is shared).
    const runs = [await measure(['cli', 'push', file, '--object', 'account', '--dry-run', '--json', '--no-state'])];
    runs.push(await measure(['cli', 'push', file, '--object', 'account', '--dry-run', '--json', '--no-state']));
    rmSync(file, { force: true });
    return {
      input: input.title,
      file: `${(size / MiB).toFixed(1)} MiB`,
      exit: runs[0].code,
      time: secs(Math.min(...runs.map((r) => r.ms))),
      'peak RSS': mib(Math.max(...runs.map((r) => r.maxRssKiB))),
    };
  },
}));

export const FUZZ_COLUMNS = [
  ['input', 'input'],
  ['file', 'file'],
  ['exit', 'exit'],
  ['push --dry-run --json', 'time'],
  ['peak RSS', 'peak RSS'],
];
