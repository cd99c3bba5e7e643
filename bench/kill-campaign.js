#!/usr/bin/env node
// The kill -9 campaign: push runs killed with SIGKILL at a random moment, then resumed with the same
// command, and what the sandbox holds counted: nothing may be lost, nothing duplicated.
//
//   npm run build && node bench/kill-campaign.js [--runs 20] [--seed 1] [--only notes,events,bulk]
//
// Three kinds of run, each killed mid-run `--runs` times: notes (REST POSTs, append-only, a derived externalId), events
// (the Analytics API, batches, a derived messageId) and accounts through `--via analytics` (batched
// upserts). Each trial starts from an empty sandbox (in this process, on 127.0.0.1, with added latency so
// that requests are in flight when the kill lands) and a new state file; the CLI runs as a child process
// (bin/vitally-sync.js) and is killed at a random moment of the time a whole run spends sending (timed
// from its first request, as seen by the sandbox).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createSandbox } from '../dist/sandbox/index.js';

const BIN = fileURLToPath(new URL('../bin/vitally-sync.js', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : args[i + 1];
};
const RUNS = Number(opt('runs', 20));
const only = opt('only', 'notes,events,bulk').split(',');
let seed = Number(opt('seed', 1)) >>> 0 || 1;
/** A seeded generator (xorshift32), so a campaign can be run again as it was. */
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

const dir = mkdtempSync(join(tmpdir(), 'vitally-sync-kill-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

const ACCOUNTS = ['acme', 'globex', 'initech'];
const KINDS = {
  notes: {
    rows: 300,
    file: 'notes.csv',
    content: (n) =>
      ['accountExternalId,subject,note', ...Array.from({ length: n }, (_, i) => `${ACCOUNTS[i % 3]},Note ${i + 1},Body of note ${i + 1}`)].join('\n'),
    args: ['--object', 'note', '--concurrency', '6'],
    /** What the sandbox holds: distinct records, records in all, and whether each holds its own row. */
    held: (sb, n) => {
      const notes = sb.store.all('notes');
      const subjects = new Set(notes.map((x) => x.subject));
      const intact = notes.every((x) => x.note === `Body of note ${x.subject.slice(5)}`);
      return { distinct: subjects.size, total: notes.length, intact: intact && subjects.size <= n };
    },
    sent: (sb) => sb.requests.filter((r) => r.method === 'POST' && r.path === '/resources/notes').length,
  },
  events: {
    rows: 600,
    file: 'events.csv',
    content: (n) => ['event_name,user_id,ts', ...Array.from({ length: n }, (_, i) => `signed_in,u-${i % 50},${1_700_000_000 + i}`)].join('\n'),
    args: ['--object', 'event', '--event-column', 'event_name', '--timestamp-column', 'ts', '--map', 'user_id=userId', '--batch-size', '10'],
    held: (sb) => {
      const ids = new Set(sb.store.events.map((e) => e.messageId));
      const times = new Set(sb.store.events.map((e) => `${e.userId} ${e.timestamp}`));
      return { distinct: times.size, total: sb.store.events.length, intact: ids.size === sb.store.events.length };
    },
    sent: (sb) => sb.requests.filter((r) => r.api === 'analytics').reduce((s, r) => s + (r.body ? JSON.parse(r.body).length : 0), 0),
  },
  bulk: {
    rows: 1000,
    file: 'accounts.csv',
    content: (n) => ['externalId,name,plan', ...Array.from({ length: n }, (_, i) => `acc-${i + 1},Account ${i + 1},${['a', 'b', 'c'][i % 3]}`)].join('\n'),
    args: ['--object', 'account', '--via', 'analytics', '--batch-size', '25'],
    held: (sb, n) => {
      const accounts = sb.store.all('accounts');
      const intact = accounts.every(
        (a) => a.name === `Account ${a.externalId.slice(4)}` && a.traits.plan === ['a', 'b', 'c'][(Number(a.externalId.slice(4)) - 1) % 3],
      );
      return { distinct: new Set(accounts.map((a) => a.externalId)).size, total: accounts.length, intact: intact && accounts.length <= n };
    },
    sent: (sb) => sb.requests.filter((r) => r.api === 'analytics').reduce((s, r) => s + (r.body ? JSON.parse(r.body).length : 0), 0),
  },
};

/**
 * Run the CLI. `sending` tells when its first request has reached the sandbox: from then on, `sendMs`
 * measures the run, and with `killAfterMs` the process is killed with SIGKILL that long after.
 */
function run(cliArgs, env, sending = () => true, killAfterMs = undefined) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...cliArgs], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let firstRequestAt;
    let timer;
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const poll = setInterval(() => {
      if (firstRequestAt !== undefined || !sending()) return;
      firstRequestAt = performance.now();
      clearInterval(poll);
      if (killAfterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    }, 1);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      const results = out.split('\n').filter((l) => l.startsWith('{"row"')).length;
      resolve({ code, signal, sendMs: firstRequestAt === undefined ? 0 : performance.now() - firstRequestAt, results, stderr: err });
    });
  });
}

function journal(state) {
  try {
    const db = new Database(state, { readonly: true });
    try {
      return db.prepare('SELECT COUNT(*) FROM journal').pluck().get();
    } finally {
      db.close();
    }
  } catch {
    return 0; // killed before the store was made
  }
}

const sb = await createSandbox({ latencyMs: 15, rateLimit: { limit: 1_000_000, windowMs: 60_000 } });
const env = { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken };
const seedAccounts = join(dir, 'seed.csv');
writeFileSync(seedAccounts, `externalId,name\n${ACCOUNTS.map((a) => `${a},${a}`).join('\n')}\n`);

console.log(`Kill -9 campaign: ${RUNS} kills mid-run of each kind, seed ${opt('seed', 1)}, Node ${process.version}`);
console.log(`Command: node bench/kill-campaign.js --runs ${RUNS} --seed ${opt('seed', 1)}${only.length < 3 ? ` --only ${only.join(',')}` : ''}\n`);
const table = [];
for (const name of only) {
  const kind = KINDS[name];
  const file = join(dir, kind.file);
  writeFileSync(file, `${kind.content(kind.rows)}\n`);
  const trial = async (i, killAfterMs) => {
    sb.reset();
    const state = join(dir, `${name}-${i}.db`);
    if (name === 'notes') await run(['push', seedAccounts, '--object', 'account', '--no-state', '--rate', '100000'], env);
    const cmd = ['push', file, ...kind.args, '--state', state, '--json', '--rate', '100000'];
    const before = sb.requests.length;
    const killed = await run(cmd, env, () => sb.requests.length > before, killAfterMs);
    const inDoubt = journal(state);
    const resumed = await run(cmd, env);
    const held = kind.held(sb, kind.rows);
    return { killed, inDoubt, resumed, held, sent: kind.sent(sb) };
  };
  // One whole run first: each kill lands at a random moment of the time it spent sending.
  const whole = await trial(0, undefined);
  // Trials go on until RUNS of them were killed mid-run: a run that ends before its moment comes is
  // counted apart (and checked all the same).
  const trials = [];
  for (let i = 1; trials.filter((t) => t.killed.signal === 'SIGKILL').length < RUNS; i++) {
    const at = Math.round(random() * whole.killed.sendMs * 0.95);
    const t = await trial(i, at);
    trials.push({ at, ...t });
    process.stderr.write(
      `${name} trial ${i}: killed ${at} ms after its first request (${t.killed.signal ?? `exit ${t.killed.code}`}, ${t.killed.results} results out), ${t.inDoubt} in doubt; resumed: exit ${t.resumed.code}, ${t.resumed.results} results; sandbox ${t.held.distinct}/${kind.rows} distinct, ${t.held.total} in all\n`,
    );
  }
  const killedMidRun = trials.filter((t) => t.killed.signal === 'SIGKILL').length;
  const lost = trials.reduce((s, t) => s + (kind.rows - t.held.distinct), 0);
  const duplicated = trials.reduce((s, t) => s + (t.held.total - t.held.distinct), 0);
  const resent = trials.reduce((s, t) => s + Math.max(0, t.sent - kind.rows), 0);
  const badExits = trials.filter((t) => t.resumed.code !== 0).length;
  const intact = trials.every((t) => t.held.intact);
  table.push({
    kind: name,
    rows: kind.rows,
    'killed mid-run': killedMidRun,
    'ended before the kill': trials.length - killedMidRun,
    'kill moments (ms after the first request)': `${Math.min(...trials.map((t) => t.at))}-${Math.max(...trials.map((t) => t.at))} of ${Math.round(whole.killed.sendMs)}`,
    'results out before the kill': `${Math.min(...trials.map((t) => t.killed.results))}-${Math.max(...trials.map((t) => t.killed.results))}`,
    'in doubt after the kill': trials.reduce((s, t) => s + t.inDoubt, 0),
    're-sent on resume': resent,
    'resumes not exit 0': badExits,
    lost,
    duplicated,
    'every record its own row': intact ? 'yes' : 'NO',
  });
}
await sb.close();

const cols = Object.keys(table[0]);
console.log(`| ${cols.join(' | ')} |`);
console.log(`|${cols.map(() => '---').join('|')}|`);
for (const r of table) console.log(`| ${cols.map((c) => String(r[c])).join(' | ')} |`);
const failed = table.some((r) => r.lost > 0 || r.duplicated > 0 || r['resumes not exit 0'] > 0 || r['every record its own row'] !== 'yes');
console.log(failed ? '\nSOMETHING WAS LOST OR DUPLICATED' : '\nNothing lost, nothing duplicated.');
process.exitCode = failed ? 1 : 0;
