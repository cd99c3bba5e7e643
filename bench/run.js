#!/usr/bin/env node
// Benchmarks, run after a build: `npm run bench` or `node bench/run.js [--only name,name] [--list]`.
// Plain ESM importing the compiled code from ../dist, so no TypeScript runner is needed.
//
// Each case is { name, group, title, run() -> row }; a group prints as one markdown table. Add a case
// (or a group) by pushing to CASES; `--only` keeps the cases whose name contains one of the given words.
import { cpus, totalmem } from 'node:os';
import { allowanceCases, ALLOWANCE_COLUMNS } from './allowance.js';
import { analyticsCases, ANALYTICS_COLUMNS } from './analytics-pace.js';
import { bulkCases, BULK_COLUMNS } from './bulk.js';
import { compareCases, COMPARE_COLUMNS } from './compare.js';
import { fuzzCases, FUZZ_COLUMNS } from './fuzz.js';
import { failingCases, FAILING_COLUMNS } from './failing.js';
import { traceCases } from './inflight-trace.js';
import { pipelineCases, PIPELINE_COLUMNS, STAGES_COLUMNS } from './pipeline.js';
import { rateCases, rateNotes, RATE_COLUMNS } from './rate.js';
import { sourceCases, SOURCE_COLUMNS } from './sources.js';

/** @type {Array<{ name: string, group: string, title: string, run: () => Promise<Record<string, string | number>> }>} */
const CASES = [
  ...pipelineCases,
  ...sourceCases,
  ...fuzzCases,
  ...bulkCases,
  ...compareCases,
  ...rateCases,
  ...allowanceCases,
  ...traceCases,
  ...analyticsCases,
  ...failingCases,
];

/** Table columns per group: [header, key]; and lines printed under a group's table. */
const COLUMNS = {
  pipeline: PIPELINE_COLUMNS,
  stages: STAGES_COLUMNS,
  sources: SOURCE_COLUMNS,
  fuzz: FUZZ_COLUMNS,
  bulk: BULK_COLUMNS,
  compare: COMPARE_COLUMNS,
  rate: RATE_COLUMNS,
  allowance: ALLOWANCE_COLUMNS,
  analytics: ANALYTICS_COLUMNS,
  failing: FAILING_COLUMNS,
};
const NOTES = { rate: rateNotes };

function parseArgs(argv) {
  const out = { only: [], list: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--list') out.list = true;
    else if (a === '--only') out.only.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (a.startsWith('--only=')) out.only.push(...a.slice(7).split(',').filter(Boolean));
    else throw new Error(`unknown argument ${a} (use --only name[,name] or --list)`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));
const selected = CASES.filter((c) => args.only.length === 0 || args.only.some((w) => c.name.includes(w)));
if (args.list || selected.length === 0) {
  for (const c of CASES) console.log(`${c.name.padEnd(24)} ${c.title}`);
  if (selected.length === 0) {
    console.error(`no case matches --only ${args.only.join(',')}`);
    process.exitCode = 2;
  }
} else {
  console.log(
    `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ${process.platform}`,
  );
  console.log(`Command: node bench/run.js${args.only.length ? ` --only ${args.only.join(',')}` : ''}\n`);
  const results = new Map();
  for (const c of selected) {
    process.stderr.write(`${c.name}: running ...`);
    const t0 = performance.now();
    const row = await c.run();
    process.stderr.write(` ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    if (!results.has(c.group)) results.set(c.group, []);
    results.get(c.group).push({ case: c.name, ...row });
  }
  for (const [group, rows] of results) {
    const cols = [
      ['case', 'case'],
      ...(COLUMNS[group] ??
        Object.keys(rows[0])
          .filter((k) => k !== 'case')
          .map((k) => [k, k])),
    ];
    console.log(`| ${cols.map(([h]) => h).join(' | ')} |`);
    console.log(`|${cols.map(() => '---').join('|')}|`);
    for (const r of rows) console.log(`| ${cols.map(([, k]) => String(r[k] ?? '')).join(' | ')} |`);
    const notes = [...(NOTES[group]?.(rows) ?? []), ...rows.filter((r) => r.note).map((r) => `- ${r.case}: ${r.note}`)];
    if (notes.length) console.log(`\n${notes.join('\n')}`);
    console.log('');
  }
}
