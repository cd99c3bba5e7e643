/**
 * `vitally-sync init <file> --object <type>`: read the header and a sample of rows, propose a mapping
 * (src/schema/propose.ts), write it as a named sync into the config file, and say what was decided and why.
 */
import { destinationOf } from '../state/destination.js';
import { existsSync } from 'node:fs';
import { basename, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { resolveConnection, type Connection, type ConnectionFlags } from '../config/connection.js';
import { loadConfigFile } from '../config/file.js';
import { connectionFlags } from '../config/file-sources.js';
import type { SyncSection } from '../config/file-schema.js';
import { intFlag } from '../config/numbers.js';
import { resolveNet } from '../config/net.js';
import { cellFormat, DEFAULT_STATE_PATH, flagValue } from '../config/push.js';
import { AuthError, ConfigError, InputError } from '../errors.js';
import { article, nounOf, type Mode, type ObjectSpec } from '../objects/index.js';
import { createSandbox, type Sandbox } from '../sandbox/index.js';
import { sandboxCatalogue, type Catalogue } from '../schema/catalogue.js';
import { checkSyncName, configTarget, syncNameFor, writeSync } from '../config/file-write.js';
import { defineFromVitally } from '../schema/definitions.js';
import { loadCatalogue, type Loaded } from '../schema/load.js';
import { propose, type Proposal } from '../schema/propose.js';
import { standardTraits } from '../schema/standard.js';
import { foreignSettings, readerFor, readRecords, type SourceOptions } from '../source/index.js';
import { openStore, type DB } from '../state/store.js';
import { catalogueObject } from './fields.js';
import type { CliIO } from './io.js';
import { guardIO, type GuardedIO } from './secret-io.js';
import { createSender } from '../api/sender.js';

export interface InitFlags extends ConnectionFlags {
  /** The reader's own settings (--delimiter, --query, ...), by name. */
  [setting: string]: unknown;
  object?: string;
  /** --timeout: the ms allowed for each answer. */
  timeout?: string;
  /** --max-retries: retries of a request that failed on the server's side. */
  maxRetries?: string;
  name?: string;
  force?: boolean;
  config?: string;
  mode?: string;
  sample?: string;
  format?: string;
  delimiter?: string;
  /** --decimal-comma (true) or --no-decimal-comma (false): how numbers are written, for the proposal and the sync. */
  decimalComma?: boolean;
  /** --date-format: how dates are written, for the proposal and the sync. */
  dateFormat?: string;
  json?: boolean;
  sandbox?: boolean;
  customFields?: string;
  state?: string | boolean;
}

export async function initCommand(file: string | undefined, flags: InitFlags, rawIO: CliIO): Promise<number> {
  const io = guardIO(rawIO);
  if (!file || file === '-') throw new ConfigError('init needs a file to sample (standard input cannot be read again by the sync)');
  const standIn = catalogueObject(flags.object, 'init');
  const mode = flagValue<Mode>('mode', flags.mode) ?? (standIn.kind === 'append' ? 'insert' : 'upsert');
  const sampleSize = intFlag(flags.sample, '--sample', 100, 1, 100_000);
  const reader = readerFor(file, flags.format);
  const format = reader.name;
  const foreign = foreignSettings(reader, flags)[0];
  if (foreign) throw new ConfigError(foreign.message);
  // The reader's own settings as given (--delimiter, --query, ...), each read by its setting's rule, then
  // checked together by the reader when it checks them.
  const given: Record<string, unknown> = {};
  for (const r of reader.settings ?? []) if (flags[r.name] !== undefined) given[r.name] = flagValue(r.name, flags[r.name]);
  const readerConfig = reader.configure?.(file, given, io.env);
  // How numbers and dates are written: the proposal types columns by them, and the sync keeps them.
  const decimalComma = flagValue<boolean>('decimalComma', flags.decimalComma);
  const dateFormat = flagValue<string>('dateFormat', flags.dateFormat);
  io.secrets.add(...(readerConfig?.secrets ?? []));
  // A database is named by its URL without the password, which is never written into the config file.
  const shown = readerConfig?.label ?? file;
  const cwd = process.cwd();
  const configPath = configTarget(flags.config, cwd);
  const name = checkSyncName(flags.name ?? syncNameFor(typeof given.queryFile === 'string' ? given.queryFile : shown));

  // Refuse early, before reading anything, when the name is taken.
  if (existsSync(configPath) && !flags.force && name in loadConfigFile(configPath).syncs) {
    throw new ConfigError(
      `${configPath} already has a sync named "${name}": pass --force to replace it, or --name to give this one another name. Nothing was written`,
    );
  }

  const { columns, rows } = await sample({ path: file, format, ...(readerConfig?.values ?? given) }, shown, sampleSize);
  const { spec, ...loaded } = await catalogueFor(standIn, flags, io, configPath);
  const object = spec.name;
  const known = [...(loaded.catalogue?.fields ?? [])];
  for (const f of standardTraits(spec)) if (!known.some((k) => k.key === f.key)) known.push(f);
  const proposal = propose({ spec, columns, rows, known, haveCatalogue: loaded.catalogue !== null, cells: cellFormat(decimalComma, dateFormat) });

  const configDir = resolvePath(configPath, '..');
  // Relative to the config file's folder (as the config file reads it), unless the file lies outside it.
  const inConfigDir = (path: string): string => {
    const rel = relative(configDir, resolvePath(path));
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? resolvePath(path) : rel.split(sep).join('/');
  };
  const sync: SyncSection = {
    description: `Proposed by vitally-sync init from ${readerConfig?.label ?? basename(file)} (${rows.length} sampled rows)`,
    file: readerConfig?.saved ?? inConfigDir(file),
    // The reader's settings as given, paths relative to the config file.
    ...Object.fromEntries(
      (reader.settings ?? [])
        .filter((r) => given[r.name] !== undefined)
        .map((r) => [r.name, r.kind === 'path' ? inConfigDir(given[r.name] as string) : given[r.name]]),
    ),
    object,
    mode,
    // A --format that was needed to read the file (a URL is told by its scheme).
    ...(flags.format && !reader.schemes?.length ? { format } : {}),
    ...(decimalComma !== undefined ? { decimalComma } : {}),
    ...(dateFormat !== undefined ? { dateFormat } : {}),
    map: proposal.map,
    ...(proposal.ignore.length ? { ignore: proposal.ignore } : {}),
  };
  const written = writeSync(configPath, name, sync, Boolean(flags.force));

  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify({
        name,
        config: written.path,
        created: written.created,
        replaced: written.replaced,
        sync,
        decisions: proposal.decisions,
        missing: proposal.missing,
        picklists: proposal.picklists,
        catalogue: loaded.catalogue ? { from: loaded.catalogue.from, fields: loaded.catalogue.fields.length } : null,
        ...(loaded.note ? { note: loaded.note } : {}),
      })}\n`,
    );
  } else io.stdout.write(humanProposal({ file: shown, rows: rows.length, columns, loaded, proposal, name, written, object, noun: nounOf(spec) }));
  return 0;
}

/** The columns (in the order first seen) and up to `n` records that could be read (the first rows of a query). */
async function sample(source: SourceOptions, shown: string, n: number) {
  const columns: string[] = [];
  const seen = new Set<string>();
  const rows: Array<Record<string, unknown>> = [];
  for await (const rec of readRecords(source)) {
    if (rec.data) {
      rows.push(rec.data);
      for (const c of Object.keys(rec.data)) {
        if (seen.has(c)) continue;
        seen.add(c);
        columns.push(c);
      }
    }
    if (rows.length >= n || rec.fatal) break;
  }
  if (rows.length === 0) throw new InputError('INPUT_EMPTY', `${shown}: no row could be read to sample: init needs at least one`);
  return { columns, rows };
}

/**
 * Vitally's catalogue when it can be had: a --custom-fields file, the in-process sandbox, the stored copy
 * or Vitally itself. Without a token (or when Vitally cannot be asked) the proposal goes on without it.
 * A custom object's definition is read first (its fields are its catalogue); one Vitally does not have
 * stops init (exit 2).
 */
async function catalogueFor(standIn: ObjectSpec, flags: InitFlags, io: GuardedIO, configPath: string): Promise<Loaded & { spec: ObjectSpec }> {
  let spec = standIn;
  const object = spec.name;
  if (flags.customFields && !flags.sandbox) return { spec, ...(await loadCatalogue({ spec, file: flags.customFields })) };
  let sandbox: Sandbox | undefined;
  let db: DB | undefined;
  try {
    let connection: Connection;
    if (flags.sandbox) {
      sandbox = await createSandbox({ ...sandboxCatalogue(flags.customFields), recordRequests: false });
      connection = { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' };
    } else {
      const fromFile = existsSync(configPath) ? connectionFlags(loadConfigFile(configPath), io.env) : {};
      const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as ConnectionFlags;
      try {
        connection = resolveConnection({ ...fromFile, ...given }, io.env, true);
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        return {
          spec,
          catalogue: null,
          note: `Vitally's ${object} trait catalogue was not read (${err.message.split(':')[0]}): traits are typed from the sampled values only`,
        };
      }
      const statePath = flags.state === false ? null : resolvePath(typeof flags.state === 'string' ? flags.state : DEFAULT_STATE_PATH);
      if (statePath && existsSync(statePath)) db = openStore(statePath);
    }
    io.secrets.add(connection.token);
    const sender = createSender({ net: resolveNet({ timeout: flags.timeout, maxRetries: flags.maxRetries }, io.env) }, connection);
    try {
      spec = await defineFromVitally(spec, sender);
      return { spec, ...(await loadCatalogue({ spec, db, destination: destinationOf(connection.baseUrl, connection.token), sender })) };
    } catch (err) {
      // A custom object Vitally does not have is no catalogue problem: init stops.
      if (!(err instanceof ConfigError || err instanceof AuthError) || (err instanceof ConfigError && err.code === 'CONFIG_INVALID_OBJECT')) throw err;
      return {
        spec,
        catalogue: null,
        note: `Vitally's ${object} trait catalogue could not be read (${err.message}): traits are typed from the sampled values only`,
      };
    } finally {
      await sender.http.close();
      sender.pacer.close();
    }
  } finally {
    db?.close();
    await sandbox?.close();
  }
}

interface Shown {
  file: string;
  rows: number;
  columns: string[];
  loaded: Loaded;
  proposal: Proposal;
  name: string;
  written: { path: string; created: boolean; replaced: boolean };
  object: string;
  /** One record of the type in words ("NPS response"). */
  noun: string;
}

function describeCatalogue(c: Catalogue | null, note: string | undefined, object: string): string {
  if (!c) return note ?? `No ${object} trait catalogue.`;
  const from = c.from === 'vitally' ? 'asked of Vitally' : c.from === 'cache' ? `stored copy of ${c.fetchedAt}` : 'from the catalogue file';
  return `Vitally's ${object} trait catalogue: ${c.fields.length} custom trait${c.fields.length === 1 ? '' : 's'} (${from}).`;
}

export function humanProposal(s: Shown): string {
  const { proposal: p } = s;
  const w = Math.min(24, Math.max(6, ...s.columns.map((c) => c.length)));
  const tw = Math.min(44, Math.max(6, ...p.decisions.map((d) => (d.target ?? '(left out)').length)));
  const out = [
    `Sampled ${s.rows} row${s.rows === 1 ? '' : 's'} of ${s.file} (${s.columns.length} columns).`,
    describeCatalogue(s.loaded.catalogue, s.loaded.note, s.object),
    '',
    ...p.decisions.map((d) => `  ${d.column.padEnd(w)} -> ${(d.target ?? '(left out)').padEnd(tw)}  ${d.reason}`),
  ];
  const review = p.decisions.filter((d) => d.review);
  if (review.length) {
    out.push('', 'To review:');
    for (const d of review) out.push(`  ${d.column.padEnd(w)}  ${d.target === null ? '(left out) ' : ''}${d.review}`);
  }
  if (p.missing.length) out.push('', `No column fills ${p.missing.join(', ')}: needed to create ${article(s.noun)}. Add a column, or use --mode update.`);
  const types = p.picklists.length ? ' --types vitally' : '';
  if (types)
    out.push(
      '',
      `Picklist and multi-value traits (${p.picklists.join(', ')}): run with --types vitally to check their values against Vitally's options and split lists.`,
    );
  out.push(
    '',
    `${s.written.replaced ? 'Replaced' : 'Wrote'} the sync "${s.name}" in ${s.written.path}${s.written.created ? ' (new file)' : ''}. Edit it as you like, then:`,
    `  vitally-sync run ${s.name}${types} --dry-run     # the requests it would send`,
    `  vitally-sync run ${s.name}${types}`,
    '',
  );
  return out.join('\n');
}
