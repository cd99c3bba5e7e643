/**
 * `vitally-sync run <name>` / `run --all`: the named syncs of the config file, each turned into the very
 * flags `push` takes and handed to pushCommand, so a sync behaves exactly as the push it stands for.
 *
 * `--all` runs them in the file's order. Every sync is checked before the first one sends anything (a
 * configuration error or an unreadable input file anywhere stops the run, exit 2); then the run goes on
 * past syncs whose rows failed (exit 1) and stops at the first one that exits otherwise (configuration
 * found mid-run 2, auth 3, a state store in use 75, a server that kept failing 69, interrupted 130,
 * internal 70). The exit code is the worst one seen.
 */
import type { Command } from 'commander';
import { resolveConfigFile, type ConfigFile } from '../config/file.js';
import { syncSources } from '../config/file-sources.js';
import { resolvePushConfig, type PushFlags } from '../config/push.js';
import type { Sources } from '../config/sources.js';
import { ConfigError, InputError } from '../errors.js';
import { assertReadable, assertText } from '../source/index.js';
import { EXIT, type CliIO } from './io.js';
import { checkApart, checkOutputFile, outputsOf, type RunFile } from '../api/ndjson-file.js';
import { reportError, say } from './report.js';

export interface RunFlags extends PushFlags {
  all?: boolean;
  list?: boolean;
}

const RUN_EXAMPLES = `
Examples:
  $ vitally-sync run accounts                         # the sync named "accounts" in vitally-sync.config.json
  $ vitally-sync run --all                            # every sync, in the file's order
  $ vitally-sync run --list
  $ vitally-sync run users --dry-run --map plan=traits.plan   # flags override the file
  $ vitally-sync run --all --config ci/vitally-sync.config.yaml --quiet

The config file (docs/config.md): vitally-sync.config.json, .yaml or .yml in this folder, or --config.
Every push flag below overrides the sync's setting; --map and --ignore add to the file's.
Exit codes: as push; with --all the worst of the syncs run. A configuration error or a missing input file
in any sync stops the run before anything is sent (2); a configuration problem found mid-run (2), an auth
failure (3), a state store in use by another run (75), a server that kept failing (69) or an interrupt (130)
stops the syncs after it.`;

/** Severity of exit codes, to report the worst. */
const SEVERITY: Record<number, number> = {
  [EXIT.ok]: 0,
  [EXIT.rowsFailed]: 1,
  [EXIT.usage]: 2,
  [EXIT.auth]: 3,
  [EXIT.tempfail]: 4,
  [EXIT.unavailable]: 5,
  [EXIT.interrupted]: 6,
  [EXIT.internal]: 7,
};
const worst = (a: number, b: number) => ((SEVERITY[b] ?? 7) > (SEVERITY[a] ?? 7) ? b : a);

/** Declare `run` with every option of `push` (so the two never drift apart), plus --all and --list. */
export function registerRunCommand(program: Command, io: CliIO, exit: (code: number) => void): Command {
  const push = program.commands.find((c) => c.name() === 'push');
  const run = program
    .command('run')
    .description('Run a named sync of the config file (vitally-sync.config.json/.yaml), or all of them with --all')
    .argument('[name]', 'the sync to run')
    .option('--all', 'run every sync of the file, in order')
    .option('--list', 'list the syncs of the file and exit');
  for (const option of push?.options ?? []) run.addOption(option);
  return run.addHelpText('after', RUN_EXAMPLES).action(async (name: string | undefined, opts: RunFlags) => {
    exit(await runCommand(name, opts, io));
  });
}

export async function runCommand(name: string | undefined, opts: RunFlags, io: CliIO): Promise<number> {
  const { all, list, config, ...cli } = opts;
  const file = resolveConfigFile(config ?? undefined, process.cwd());
  if (!file) {
    throw new ConfigError(
      config === false
        ? 'run needs the config file: drop --no-config'
        : `run needs a config file: none of vitally-sync.config.json, .yaml or .yml is in ${process.cwd()}; name one with --config <file> (see docs/config.md)`,
      'CONFIG_MISSING',
    );
  }
  if (list) {
    io.stdout.write(listing(file, Boolean(opts.json)));
    return EXIT.ok;
  }
  if (name && all) throw new ConfigError('Give a sync name or --all, not both');
  if (!name && !all) {
    throw new ConfigError(
      `run needs a sync name or --all. ${file.order.length ? `The syncs in ${file.path}: ${file.order.join(', ')}` : `${file.path} has no "syncs"`}`,
    );
  }
  const names = all ? file.order : [name!];
  if (names.length === 0) throw new ConfigError(`${file.path} has no "syncs" to run`);

  // Check every sync first (its settings, that its input can be read and its outputs written): a
  // configuration error, a missing input file or an output that cannot be written stops the run before
  // anything is sent.
  const planned: Array<{ name: string; input: string; sources: Sources; object: string }> = [];
  const inputs: RunFile[] = [];
  const outputs: RunFile[] = [];
  for (const n of names) {
    const { input, sources } = syncSources(file, n, { ...cli }, io.env);
    let object: string;
    try {
      const cfg = resolvePushConfig(input, sources);
      object = cfg.spec.name;
      if (cfg.input !== '-') await assertReadable(cfg.input);
      await assertText({ path: cfg.input, format: cfg.format, ...cfg.readerSettings });
      // Its outputs too: a later sync must not stop on a file it cannot write after the first one sent.
      if (cfg.rejects) checkOutputFile('--rejects', cfg.rejects);
      if (cfg.logRequests) checkOutputFile('--log-requests', cfg.logRequests);
      inputs.push({ path: cfg.input, sync: n }, ...(cfg.statePath ? [{ path: cfg.statePath, flag: '--state', sync: n }] : []));
      outputs.push(...outputsOf(cfg, n));
    } catch (err) {
      if (err instanceof ConfigError) throw new ConfigError(`sync "${n}" (${file.path}): ${err.message}`, err.code);
      if (err instanceof InputError) throw new InputError(err.code, `sync "${n}" (${file.path}): ${err.message}`);
      throw err;
    }
    planned.push({ name: n, input, sources, object });
  }
  // No sync may write a file another reads or writes: checked across them all, before the first runs.
  checkApart(inputs, outputs, file.path);
  if (!all) return (await import('./push.js')).pushWith(planned[0]!.input, planned[0]!.sources, io, true);

  const results: Array<{ name: string; exitCode: number | null }> = planned.map((p) => ({ name: p.name, exitCode: null }));
  let overall: number = EXIT.ok;
  for (const [i, p] of planned.entries()) {
    const header = `== sync ${p.name} (${i + 1}/${planned.length}): ${p.object} from ${p.input}`;
    // Headers go with the results in human mode; with --json, stdout stays pure NDJSON and the header is
    // a notice on stderr, a JSON line like every other there.
    if (opts.json) say(io, true, 'notice', header, p.name);
    else io.stdout.write(`${header}\n`);
    let code: number;
    try {
      code = await (await import('./push.js')).pushWith(p.input, p.sources, io, true);
    } catch (err) {
      code = reportError(err, io, Boolean(opts.json), p.name);
    }
    results[i]!.exitCode = code;
    overall = worst(overall, code);
    if (code !== EXIT.ok && code !== EXIT.rowsFailed) break;
  }
  if (opts.json) io.stdout.write(`${JSON.stringify({ run: { syncs: results, exitCode: overall } })}\n`);
  else {
    const parts = results.map((r) => `${r.name} ${r.exitCode === null ? 'not run' : `exit ${r.exitCode}${meaning(r.exitCode)}`}`);
    io.stdout.write(`== run --all: ${parts.join(', ')}; exit ${overall}\n`);
  }
  return overall;
}

function meaning(code: number): string {
  switch (code) {
    case EXIT.ok:
      return '';
    case EXIT.rowsFailed:
      return ' (rows failed)';
    case EXIT.usage:
      return ' (configuration)';
    case EXIT.auth:
      return ' (authentication)';
    case EXIT.tempfail:
      return ' (try again later: the state file was in use)';
    case EXIT.unavailable:
      return ' (the server kept failing)';
    case EXIT.interrupted:
      return ' (interrupted)';
    default:
      return ' (internal error)';
  }
}

function listing(file: ConfigFile, json: boolean): string {
  if (json) {
    const syncs = file.order.map((n) => ({ name: n, ...file.written[n] }));
    return `${JSON.stringify({ config: file.path, syncs })}\n`;
  }
  const lines = [`Syncs in ${file.path}:`];
  for (const n of file.order) {
    const s = file.written[n]!;
    lines.push(`  ${n.padEnd(16)} ${s.object} ${s.mode ?? ''} from ${s.file}${s.description ? `  (${s.description})` : ''}`.replace(/ {2,}from/, ' from'));
  }
  if (file.order.length === 0) lines.push('  none');
  return `${lines.join('\n')}\n`;
}
