/**
 * `push` settings: flags + environment -> one typed, checked PushConfig, or a ConfigError naming the
 * setting. Everything is checked here, before any request is sent.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseMapFlag, parseMappingFile, type ColumnMapping, type EmptyPolicy } from '../mapping/mapper.js';
import { getObject, objectNames, objectsWhere, type Mode, type ObjectSpec } from '../objects/index.js';
import { MODE_NAMES, type MatchBy } from '../plan/plan.js';
import { foreignSettings, readerFor } from '../source/index.js';
import type { InputFormat } from '../types.js';
import { resolveConnection, type Connection, type ConnectionFlags, type Env } from './connection.js';
import { intFlag } from './numbers.js';
import { resolveAnalyticsConnection, type AnalyticsFlags } from './analytics.js';
import { andList } from '../text.js';
import { MAX_BATCH } from '../analytics/batcher.js';
import { resolve as resolvePath } from 'node:path';
import { resolveTraitCheck, type TraitCheckSettings, type TraitFlags } from './trait-check.js';

/** Where the state store lives unless --state says otherwise (relative to the working directory). */
export const DEFAULT_STATE_PATH = '.vitally-sync/state.db';

export interface PushFlags extends ConnectionFlags, AnalyticsFlags, TraitFlags {
  /** A postgres:// input: --query, --query-file, --password-file, --scope. */
  query?: string;
  queryFile?: string;
  passwordFile?: string;
  scope?: string;
  via?: string;
  batchSize?: string;
  event?: string;
  eventColumn?: string;
  timestampColumn?: string;
  unlinkRemoved?: boolean;
  object?: string;
  mode?: string;
  format?: string;
  delimiter?: string;
  map?: string[];
  mapping?: string;
  ignore?: string[];
  empty?: string;
  listSeparator?: string;
  match?: string;
  json?: boolean;
  quiet?: boolean;
  rejects?: string;
  dryRun?: boolean;
  sandbox?: boolean;
  state?: string | boolean;
  full?: boolean;
  deleteMissing?: boolean;
  maxDeletes?: string;
  concurrency?: string;
  rate?: string;
  maxRetries?: string;
  timeout?: string;
  connectTimeout?: string;
  /** Hidden: the first retry backoff step in ms (tests shrink it so nothing sleeps long). */
  retryBaseMs?: string;
  /** Hidden: the longest wait a server's rate-limit headers may impose, in ms (tests shrink it). */
  maxWaitMs?: string;
  /** --config <file>: the config file whose connection settings fill the flags not given; false: --no-config. */
  config?: string | boolean;
  /** --log-requests <file>: every request and response as NDJSON, secrets redacted. */
  logRequests?: string;
  /**
   * The settings that came from a config file's sync rather than the command line (set by syncToPush).
   * A flag that would have no effect is refused when given on the command line; the same setting in a
   * sync (full: true, run with --sandbox and no store) is left unused instead.
   */
  fromConfig?: ReadonlyArray<keyof PushFlags>;
}

export interface NetSettings {
  concurrency: number;
  ratePerMinute: number;
  maxRetries: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** First retry backoff step (doubles per attempt, full jitter); hidden flag --retry-base-ms. */
  retryBaseMs: number;
  /** The longest single wait (a retry's, or a pause a server's headers ask for); hidden flag --max-wait-ms. */
  maxWaitMs: number;
}

export interface PushConfig {
  input: string;
  format: InputFormat;
  /** What the reader reads with: its own settings (CSV: delimiter; a query: its SQL and password). */
  readerSettings: Record<string, unknown>;
  /** How the state store names the input, when not by its path (a query: its --scope, or its text's hash). */
  sourceName?: string | undefined;
  /** Values of the input's settings that must never be printed (a database password). */
  secrets: string[];
  spec: ObjectSpec;
  mode: Mode;
  map: ColumnMapping[];
  ignore: string[];
  empty: EmptyPolicy;
  listSeparator: string;
  match: MatchBy;
  json: boolean;
  quiet: boolean;
  rejects?: string | undefined;
  /** --log-requests: where every request and response is written (NDJSON). */
  logRequests?: string | undefined;
  dryRun: boolean;
  sandbox: boolean;
  /** The state file, or null with --no-state (and by default with --sandbox, whose records vanish). */
  statePath: string | null;
  full: boolean;
  deleteMissing?: { max: number } | undefined;
  /** Which API carries the rows: REST (one record a request) or Analytics (batches of messages). */
  via: 'rest' | 'analytics';
  batchSize: number;
  /** Values set on every row (--event). */
  constants: Record<string, unknown>;
  unlinkRemoved: boolean;
  /** The Analytics API connection when via is analytics (absent with --sandbox or a dry run without one). */
  analytics?: Connection | undefined;
  /** Absent with --sandbox (the in-process sandbox supplies it) and on a dry run without a token. */
  connection?: Connection | undefined;
  net: NetSettings;
  /** --types, --strict-traits, --refresh-schema, --custom-fields: Vitally's trait catalogue (src/schema). */
  traitCheck: TraitCheckSettings;
}

export function resolveNet(flags: Pick<PushFlags, 'concurrency' | 'rate' | 'maxRetries' | 'timeout' | 'connectTimeout' | 'retryBaseMs' | 'maxWaitMs'>): NetSettings {
  return {
    concurrency: intFlag(flags.concurrency, '--concurrency', 4, 1, 64),
    ratePerMinute: intFlag(flags.rate, '--rate', 1000, 1, 100_000),
    maxRetries: intFlag(flags.maxRetries, '--max-retries', 5, 0, 20),
    timeoutMs: intFlag(flags.timeout, '--timeout', 30_000, 100, 600_000),
    connectTimeoutMs: intFlag(flags.connectTimeout, '--connect-timeout', 10_000, 100, 120_000),
    retryBaseMs: intFlag(flags.retryBaseMs, '--retry-base-ms', 500, 0, 60_000),
    maxWaitMs: intFlag(flags.maxWaitMs, '--max-wait-ms', 60_000, 10, 60_000),
  };
}

export function resolvePushConfig(input: string | undefined, given: PushFlags, env: Env): PushConfig {
  // A setting is refused where it would do nothing (ineffective() below); when it comes from a sync in a
  // config file, it is dropped instead, so one file serves runs with and without the store, and so on.
  const fromConfig = new Set(given.fromConfig ?? []);
  const flags: PushFlags = { ...given };
  const ineffective = (name: keyof PushFlags, message: string): void => {
    if (flags[name] === undefined) return;
    if (!fromConfig.has(name)) throw new ConfigError(message);
    delete flags[name];
  };
  if (!input) throw new ConfigError('push needs a file to read, or - for standard input');
  if (!flags.object) throw new ConfigError(`push needs --object (${objectNames().join(', ')})`, 'CONFIG_MISSING');
  const spec = getObject(flags.object);
  const mode = (flags.mode ?? (spec.kind === 'append' ? 'insert' : 'upsert')) as Mode;
  if (!MODE_NAMES.includes(mode)) throw new ConfigError(`--mode "${flags.mode}" is not known: use ${MODE_NAMES.join(', ')}`);
  if (spec.kind === 'append' && mode === 'update') {
    throw new ConfigError(
      `--mode update is not possible for ${spec.name}s: they are only ever created (POST). Use --mode insert, or upsert, which means create here (a row with a known externalId updates its record)`,
    );
  }
  const match = (flags.match ?? 'externalId') as MatchBy;
  if (match !== 'externalId' && match !== 'email') throw new ConfigError(`--match "${flags.match}" is not known: use externalId or email`);
  if (match === 'email' && !spec.matchByEmail) throw new ConfigError(`--match email is for ${andList(objectsWhere((o) => o.matchByEmail === true).map((o) => `${o.name}s`))} only`);
  if (match === 'email' && mode === 'insert') throw new ConfigError('--match email finds existing users: use it with --mode upsert or update');

  const reader = readerFor(input, flags.format);
  const format = reader.name;
  for (const f of foreignSettings(reader, flags as Record<string, unknown>)) ineffective(f.name as keyof PushFlags, f.message);
  const empty = (flags.empty ?? 'omit') as EmptyPolicy;
  if (empty !== 'omit' && empty !== 'null') throw new ConfigError(`--empty "${flags.empty}" is not known: use omit (default) or null`);
  const listSeparator = flags.listSeparator ?? ';';
  if (listSeparator.length !== 1) throw new ConfigError('--list-separator must be one character');
  if (flags.delimiter !== undefined && flags.delimiter.replace('\\t', '\t').length !== 1) {
    throw new ConfigError('--delimiter must be one character (\\t for tab)');
  }
  // The reader's own settings, as given; a reader that checks them (a query) says what it reads with.
  const asGiven = flags as Record<string, unknown>;
  const own: Record<string, unknown> = {};
  for (const r of reader.settings ?? []) if (asGiven[r.name] !== undefined) own[r.name] = asGiven[r.name];
  if (typeof own.delimiter === 'string') own.delimiter = own.delimiter.replace('\\t', '\t');
  const readerConfig = reader.configure?.(input, own, env);

  const via = (spec.transport === 'analytics' ? 'analytics' : (flags.via ?? 'rest')) as 'rest' | 'analytics';
  if (via !== 'rest' && via !== 'analytics') throw new ConfigError(`--via "${flags.via}" is not known: use rest or analytics`);
  if (spec.transport === 'analytics' && flags.via === 'rest') throw new ConfigError('events go through the Analytics API only: drop --via rest');
  if (via === 'analytics' && spec.transport !== 'analytics') {
    if (!spec.analytics) {
      const which = andList(objectsWhere((o) => o.analytics !== undefined && o.transport !== 'analytics').map((o) => `${o.name}s`));
      throw new ConfigError(`--via analytics is for ${which}, not ${spec.name}s`);
    }
    if (mode !== 'upsert') {
      throw new ConfigError(`--via analytics only upserts (Vitally's Analytics API creates or updates); --mode ${mode} needs the REST API (--via rest)`);
    }
    if (flags.match === 'email') throw new ConfigError('--match email needs the REST API (--via rest)');
  }
  if (flags.unlinkRemoved && !(via === 'analytics' && spec.name === 'user')) {
    throw new ConfigError('--unlink-removed is for users sent with --via analytics');
  }
  if (via !== 'analytics') {
    ineffective('batchSize', '--batch-size is for the Analytics API (--via analytics, or --object event): a REST request carries one record');
  }
  const batchSize = intFlag(flags.batchSize, '--batch-size', MAX_BATCH, 1, MAX_BATCH);
  const map: ColumnMapping[] = [];
  const constants: Record<string, unknown> = {};
  if (spec.name === 'event') {
    if (flags.event && flags.eventColumn) throw new ConfigError('Give --event <name> or --event-column <column>, not both');
    if (flags.event !== undefined) {
      if (!flags.event.trim()) throw new ConfigError('--event needs a name');
      constants.event = flags.event;
    }
    if (flags.eventColumn) map.push({ source: flags.eventColumn, target: 'event' });
    if (flags.timestampColumn) map.push({ source: flags.timestampColumn, target: 'timestamp' });
  } else if (flags.event || flags.eventColumn || flags.timestampColumn) {
    throw new ConfigError('--event, --event-column and --timestamp-column are for --object event');
  }
  const ignore = [...(flags.ignore ?? [])];
  if (flags.mapping) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(flags.mapping, 'utf8'));
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new ConfigError(`--mapping ${flags.mapping}: ${code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`);
    }
    const fromFile = parseMappingFile(json, flags.mapping);
    map.push(...fromFile.map);
    ignore.push(...fromFile.ignore);
  }
  // Flags come after the file, so a --map flag overrides the file's entry for the same column.
  for (const m of flags.map ?? []) map.push(parseMapFlag(m));

  const net = resolveNet(flags);
  const dryRun = Boolean(flags.dryRun);
  const sandbox = Boolean(flags.sandbox);
  let connection: Connection | undefined;
  try {
    // The Analytics path needs no REST connection: its ids are the customer's own, so nothing is looked up.
    connection = sandbox || via === 'analytics' ? undefined : resolveConnection(flags, env, !dryRun);
  } catch (err) {
    // A dry run sends nothing, so it needs no host; a setting that is given but wrong still fails.
    if (!(dryRun && err instanceof ConfigError && err.code === 'CONFIG_MISSING')) throw err;
  }

  const statePath =
    flags.state === false || (flags.sandbox && typeof flags.state !== 'string')
      ? null
      : resolvePath(typeof flags.state === 'string' ? flags.state : DEFAULT_STATE_PATH);
  if (flags.deleteMissing && spec.kind !== 'keyed') {
    throw new ConfigError(`--delete-missing is for accounts, users and organizations: ${spec.name}s are never deleted`);
  }
  if (flags.deleteMissing && statePath === null) {
    throw new ConfigError('--delete-missing needs the state store (it knows which records came from this source): drop --no-state');
  }
  if (flags.unlinkRemoved && statePath === null) {
    throw new ConfigError('--unlink-removed needs the state store (it knows which links were sent before): drop --no-state');
  }
  if (flags.deleteMissing && via === 'analytics') {
    throw new ConfigError('--delete-missing deletes through the REST API and mirrors what was sent through it: run it without --via analytics');
  }
  if (flags.deleteMissing && readerConfig?.noMirror) throw new ConfigError(readerConfig.noMirror);
  if (flags.deleteMissing && input === '-') {
    throw new ConfigError('--delete-missing needs a file: records are matched to the file they were synced from, and stdin has no name');
  }
  if (!flags.deleteMissing) ineffective('maxDeletes', '--max-deletes bounds --delete-missing: add --delete-missing, or drop it');
  if (flags.full && statePath === null) {
    ineffective('full', '--full re-sends the rows the state store would skip; without a store (--no-state, or --sandbox without --state) every row is sent anyway: drop --full');
  }
  const deleteMissing = flags.deleteMissing ? { max: intFlag(flags.maxDeletes, '--max-deletes', 100, 0, 1_000_000) } : undefined;

  let analytics: Connection | undefined;
  if (via === 'analytics' && !sandbox) {
    try {
      analytics = resolveAnalyticsConnection(flags, env, !dryRun);
    } catch (err) {
      if (!(dryRun && err instanceof ConfigError && err.code === 'CONFIG_MISSING')) throw err;
    }
  }

  const traitCheck = resolveTraitCheck(flags, env, { spec, dryRun, sandbox });

  return {
    input,
    traitCheck,
    via,
    batchSize,
    constants,
    unlinkRemoved: Boolean(flags.unlinkRemoved),
    analytics,
    statePath,
    full: Boolean(flags.full),
    deleteMissing,
    format,
    readerSettings: readerConfig?.values ?? own,
    sourceName: readerConfig?.sourceName,
    secrets: readerConfig?.secrets ?? [],
    spec,
    mode,
    map,
    ignore,
    empty,
    listSeparator,
    match,
    json: Boolean(flags.json),
    quiet: Boolean(flags.quiet),
    rejects: flags.rejects,
    logRequests: flags.logRequests,
    dryRun,
    sandbox,
    connection,
    net,
  };
}
