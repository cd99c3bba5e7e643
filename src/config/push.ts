/**
 * `push` settings: flags + environment -> one typed, checked PushConfig, or a ConfigError naming the
 * setting. Everything is checked here, before any request is sent.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parseMapFlag, parseMappingFile, type ColumnMapping, type EmptyPolicy } from '../mapping/mapper.js';
import { getObject, objectNames, type Mode, type ObjectSpec } from '../objects/index.js';
import { MODE_NAMES, type MatchBy } from '../plan/plan.js';
import { detectFormat } from '../source/index.js';
import type { InputFormat } from '../types.js';
import { resolveConnection, type Connection, type ConnectionFlags, type Env } from './connection.js';
import { intFlag } from './numbers.js';
import { resolve as resolvePath } from 'node:path';

/** Where the state store lives unless --state says otherwise (relative to the working directory). */
export const DEFAULT_STATE_PATH = '.vitally-sync/state.db';

export interface PushFlags extends ConnectionFlags {
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
}

export interface NetSettings {
  concurrency: number;
  ratePerMinute: number;
  maxRetries: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** First retry backoff step (doubles per attempt, full jitter); hidden flag --retry-base-ms. */
  retryBaseMs: number;
}

export interface PushConfig {
  input: string;
  format: InputFormat;
  delimiter?: string | undefined;
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
  dryRun: boolean;
  sandbox: boolean;
  /** The state file, or null with --no-state (and by default with --sandbox, whose records vanish). */
  statePath: string | null;
  full: boolean;
  deleteMissing?: { max: number } | undefined;
  /** Absent with --sandbox (the in-process sandbox supplies it) and on a dry run without a token. */
  connection?: Connection | undefined;
  net: NetSettings;
}

export function resolveNet(flags: Pick<PushFlags, 'concurrency' | 'rate' | 'maxRetries' | 'timeout' | 'connectTimeout' | 'retryBaseMs'>): NetSettings {
  return {
    concurrency: intFlag(flags.concurrency, '--concurrency', 4, 1, 64),
    ratePerMinute: intFlag(flags.rate, '--rate', 1000, 1, 100_000),
    maxRetries: intFlag(flags.maxRetries, '--max-retries', 5, 0, 20),
    timeoutMs: intFlag(flags.timeout, '--timeout', 30_000, 100, 600_000),
    connectTimeoutMs: intFlag(flags.connectTimeout, '--connect-timeout', 10_000, 100, 120_000),
    retryBaseMs: intFlag(flags.retryBaseMs, '--retry-base-ms', 500, 0, 60_000),
  };
}

export function resolvePushConfig(input: string | undefined, flags: PushFlags, env: Env): PushConfig {
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
  if (match === 'email' && spec.name !== 'user') throw new ConfigError('--match email is for users only');
  if (match === 'email' && mode === 'insert') throw new ConfigError('--match email finds existing users: use it with --mode upsert or update');

  const format = detectFormat(input, flags.format);
  const empty = (flags.empty ?? 'omit') as EmptyPolicy;
  if (empty !== 'omit' && empty !== 'null') throw new ConfigError(`--empty "${flags.empty}" is not known: use omit (default) or null`);
  const listSeparator = flags.listSeparator ?? ';';
  if (listSeparator.length !== 1) throw new ConfigError('--list-separator must be one character');
  if (flags.delimiter !== undefined && flags.delimiter.replace('\\t', '\t').length !== 1) {
    throw new ConfigError('--delimiter must be one character (\\t for tab)');
  }

  const map: ColumnMapping[] = [];
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
    connection = sandbox ? undefined : resolveConnection(flags, env, !dryRun);
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
  if (flags.deleteMissing && input === '-') {
    throw new ConfigError('--delete-missing needs a file: records are matched to the file they were synced from, and stdin has no name');
  }
  const deleteMissing = flags.deleteMissing ? { max: intFlag(flags.maxDeletes, '--max-deletes', 100, 0, 1_000_000) } : undefined;

  return {
    input,
    statePath,
    full: Boolean(flags.full),
    deleteMissing,
    format,
    delimiter: flags.delimiter?.replace('\\t', '\t'),
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
    dryRun,
    sandbox,
    connection,
    net,
  };
}
