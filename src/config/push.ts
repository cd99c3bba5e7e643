/**
 * `push` settings: the settings of one run (sources.ts: flags, environment, config file) -> one typed,
 * checked PushConfig, or a ConfigError with the code of the setting at fault. Everything is checked here,
 * before any request is sent: each value by its own rule (settings.ts), then how the settings go
 * together (rules.ts).
 */
import { resolve as resolvePath } from 'node:path';
import { ConfigError } from '../errors.js';
import { parseDateFormat, type CellFormat } from '../mapping/locale.js';
import type { ColumnMapping, EmptyPolicy } from '../mapping/mapper.js';
import { getObject, objectNames, type Mode, type ObjectSpec } from '../objects/index.js';
import type { MatchBy } from '../plan/plan.js';
import type { TraitCheckSettings } from '../schema/setup.js';
import { readerFor } from '../source/index.js';
import { DEFAULT_VERIFY, type CompareWith, type VerifyOptions } from '../sync/compare/index.js';
import type { LinksPolicy } from '../sync/links.js';
import type { Via } from '../sync/transports.js';
import type { InputFormat } from '../types.js';
import { resolveAnalyticsConnection, type AnalyticsFlags } from './analytics.js';
import { resolveConnection, type Connection, type ConnectionFlags } from './connection.js';
import { resolveNet, type NetSettings } from './net.js';
import { columnMappings } from './mapping.js';
import { checkTogether, objectConstants } from './rules.js';
import { settingDefs } from './settings.js';
import { readSetting, Settings, type Sources } from './sources.js';
import { resolveTraitCheck, type TraitFlags } from './trait-check.js';

/** Where the state store lives unless --state says otherwise (relative to the working directory). */
export const DEFAULT_STATE_PATH = '.vitally-sync/state.db';

/** The options of `push` as commander gives them (each is a setting of settings.ts). */
export interface PushFlags extends ConnectionFlags, AnalyticsFlags, TraitFlags {
  via?: string;
  batchSize?: string;
  event?: string;
  eventColumn?: string;
  timestampColumn?: string;
  unlinkRemoved?: boolean;
  links?: string;
  object?: string;
  mode?: string;
  format?: string;
  delimiter?: string;
  map?: string[];
  mapping?: string;
  ignore?: string[];
  empty?: string;
  listSeparator?: string;
  /** --decimal-comma (true) or --no-decimal-comma (false). */
  decimalComma?: boolean;
  dateFormat?: string;
  match?: string;
  json?: boolean;
  quiet?: boolean;
  rejects?: string;
  dryRun?: boolean;
  sandbox?: boolean;
  state?: string | boolean;
  full?: boolean;
  deleteMissing?: boolean;
  compare?: string;
  verify?: boolean;
  verifyTimeout?: string;
  /** Hidden: the wait before --verify's first check, in ms (tests shrink it). */
  verifyIntervalMs?: string;
  maxDeletes?: string;
  maxDeleteShare?: string;
  concurrency?: string;
  rate?: string;
  maxRetries?: string;
  timeout?: string;
  connectTimeout?: string;
  /** Hidden: the first retry backoff step in ms (tests shrink it so nothing sleeps long). */
  retryBaseMs?: string;
  /** Hidden: the longest wait a server's rate-limit headers may impose, in ms (tests shrink it). */
  maxWaitMs?: string;
  /** A postgres:// input: --query, --query-file, --password-file (the reader's own settings). */
  query?: string;
  queryFile?: string;
  passwordFile?: string;
  /** The name the state store keeps the input's records under (default: the file's path; run: the sync's name). */
  scope?: string;
  /** --config <file>: the config file whose connection settings fill the flags not given; false: --no-config. */
  config?: string | boolean;
  /** --log-requests <file>: every request and response as NDJSON, secrets redacted. */
  logRequests?: string;
}

export interface PushConfig {
  input: string;
  /** The config file's sync this push stands for (`run`), which names it in JSON lines. */
  sync?: string | undefined;
  format: InputFormat;
  /** What the reader reads with: its own settings (CSV: delimiter; a query: its SQL and password). */
  readerSettings: Record<string, unknown>;
  /**
   * How the state store names the input, when not by its path: `scope:<name>` for --scope (or, under
   * `run`, the sync's name); a query without one by its text's hash. --delete-missing mirrors this source.
   */
  sourceName?: string | undefined;
  /** Values of the input's settings that must never be printed (a database password). */
  secrets: string[];
  spec: ObjectSpec;
  mode: Mode;
  map: ColumnMapping[];
  ignore: string[];
  empty: EmptyPolicy;
  listSeparator: string;
  /** How the input writes numbers and dates: --decimal-comma, --date-format. */
  cells: CellFormat;
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
  /** --delete-missing with its limits: --max-deletes, --max-delete-share (a percent). */
  deleteMissing?: { max: number; maxShare: number } | undefined;
  /** Which transport carries the rows: REST (one record a request) or Analytics (batches of messages). */
  via: Via;
  /** What rows are compared with before sending: given, or auto (the run chooses, docs/compare.md). */
  compare: CompareWith | 'auto';
  /** --verify: look for the rows the Analytics API accepted in Vitally, this long at most. */
  verify?: VerifyOptions | undefined;
  batchSize: number;
  /** Values set on every row (--event). */
  constants: Record<string, unknown>;
  unlinkRemoved: boolean;
  /** A user PUT's links: added to those the user has (add, default), or replacing them. */
  links: LinksPolicy;
  /** An Analytics API token is configured (environment or --analytics-token-file): renames may use it. */
  analyticsToken: boolean;
  /** Type trait columns from the input's first values (--types auto on an input of text values: CSV). */
  inferTypes: boolean;
  /** The Analytics API connection when via is analytics (absent with --sandbox or a dry run without one). */
  analytics?: Connection | undefined;
  /** Absent with --sandbox (the in-process sandbox supplies it) and on a dry run without a token. */
  connection?: Connection | undefined;
  net: NetSettings;
  /** --types, --strict-traits, --refresh-schema, --custom-fields: Vitally's trait catalogue (src/schema). */
  traitCheck: TraitCheckSettings;
}

const isSetting = (name: string): boolean => name in settingDefs();

/** A connection that a dry run may go without: a missing token or host is no error then. */
function optional<T>(dryRun: boolean, make: () => T): T | undefined {
  try {
    return make();
  } catch (err) {
    if (!(dryRun && err instanceof ConfigError && err.code === 'CONFIG_MISSING')) throw err;
    return undefined;
  }
}

export function resolvePushConfig(input: string | undefined, sources: Sources | Settings): PushConfig {
  const s = sources instanceof Settings ? sources : new Settings(sources);
  const env = s.sources.env;
  if (!input) throw new ConfigError('push needs a file to read, or - for standard input', 'CONFIG_MISSING');
  const object = s.get<string>('object');
  if (!object) throw new ConfigError(`push needs --object (${objectNames().join(', ')})`, 'CONFIG_MISSING');
  const spec = getObject(object);
  const reader = readerFor(input, s.get<string>('format'));
  const dryRun = Boolean(s.get('dryRun'));
  const sandbox = Boolean(s.get('sandbox'));
  const state = s.get<string | false>('state');
  // The default store is relative to the working directory (push()'s `cwd`).
  const statePath = state === false || (sandbox && state === undefined) ? null : resolvePath(s.sources.options?.dir ?? '.', state ?? DEFAULT_STATE_PATH);
  // Every value given is read by its setting's rule first, so a bad one is named before anything else.
  for (const name of Object.keys(s.sources.flags)) if (isSetting(name)) s.given(name);
  // The reader's own settings; a reader that checks them (a query) says what it reads with.
  const own: Record<string, unknown> = {};
  for (const r of reader.settings ?? []) if (s.get(r.name) !== undefined) own[r.name] = s.get(r.name);
  const readerConfig = reader.configure?.(input, own, env);
  // The scope names the input in the state store: --scope, else the sync's name under `run`.
  const scope = s.get<string>('scope') ?? s.sources.sync?.name;
  const { mode, match, via, compare, verify } = checkTogether(s, {
    spec,
    input,
    reader,
    statePath,
    noMirror: scope === undefined ? readerConfig?.noMirror : undefined,
    scoped: scope !== undefined,
  });

  const { constants, columns } = objectConstants(s, spec);
  const mapped = columnMappings(s, spec);
  // An event's --event-column and --timestamp-column come first: a --map entry for the same column wins.
  const map = [...columns, ...mapped.map];
  const ignore = mapped.ignore;
  const deleteMissing = s.get('deleteMissing') ? { max: s.get<number>('maxDeletes') ?? 100, maxShare: s.get<number>('maxDeleteShare') ?? 20 } : undefined;

  const connectionFlags: ConnectionFlags & AnalyticsFlags = {};
  for (const name of ['region', 'subdomain', 'baseUrl', 'tokenFile', 'analyticsBaseUrl', 'analyticsTokenFile'] as const) {
    const v = s.get<string>(name);
    if (v !== undefined) connectionFlags[name] = v;
  }
  const net = resolveNet(s);
  // The Analytics path needs no REST connection (its ids are the customer's own, so nothing is looked up),
  // unless the object type is made from a definition read through the REST API (a custom object), or
  // Vitally's records are read (--compare vitally, --verify; a run left to choose uses one if it is set).
  const reads = compare === 'vitally' || verify;
  const needsRest = via !== 'analytics' || spec.definition !== undefined || reads;
  const connection = sandbox
    ? undefined
    : needsRest
      ? optional(dryRun && !reads, () => resolveConnection(connectionFlags, env, !dryRun || reads))
      : compare === 'auto'
        ? optional(true, () => resolveConnection(connectionFlags, env, true))
        : undefined;
  const analytics = via === 'analytics' && !sandbox ? optional(dryRun, () => resolveAnalyticsConnection(connectionFlags, env, !dryRun)) : undefined;
  const traitCheck = resolveTraitCheck(
    {
      ...connectionFlags,
      // A sync's "types" may be an object of trait columns' types instead (columnMappings reads it).
      types: typeof s.get('types') === 'string' ? s.get<string>('types') : undefined,
      strictTraits: s.get<boolean>('strictTraits'),
      refreshSchema: s.get<boolean>('refreshSchema'),
      customFields: s.get<string>('customFields'),
    },
    env,
    { spec, dryRun, sandbox },
  );

  return {
    input,
    sync: s.sources.sync?.name,
    format: reader.name,
    readerSettings: readerConfig?.values ?? own,
    sourceName: scope !== undefined ? `scope:${scope}` : readerConfig?.sourceName,
    secrets: readerConfig?.secrets ?? [],
    spec,
    mode,
    map,
    ignore,
    empty: s.get<EmptyPolicy>('empty') ?? 'omit',
    listSeparator: s.get<string>('listSeparator') ?? ';',
    cells: cellFormat(s.get<boolean>('decimalComma'), s.get<string>('dateFormat')),
    match,
    json: Boolean(s.get('json')),
    quiet: Boolean(s.get('quiet')),
    rejects: s.get<string>('rejects'),
    logRequests: s.get<string>('logRequests'),
    dryRun,
    sandbox,
    statePath,
    full: Boolean(s.get('full')),
    deleteMissing,
    via,
    compare,
    verify: verify
      ? {
          timeoutMs: (s.get<number>('verifyTimeout') ?? DEFAULT_VERIFY.timeoutMs / 1000) * 1000,
          intervalMs: s.get<number>('verifyIntervalMs') ?? DEFAULT_VERIFY.intervalMs,
        }
      : undefined,
    batchSize: s.get<number>('batchSize') ?? 100,
    constants,
    unlinkRemoved: Boolean(s.get('unlinkRemoved')),
    links: s.get<LinksPolicy>('links') ?? 'add',
    analyticsToken: Boolean(env.VITALLY_ANALYTICS_TOKEN?.trim() || s.get('analyticsTokenFile')),
    inferTypes: traitCheck.types === 'auto' && reader.valuesAreText === true && spec.traits,
    analytics,
    connection,
    net,
    traitCheck,
  };
}

/** How the input writes numbers and dates, from the settings decimalComma and dateFormat (read by their rules). */
export function cellFormat(decimalComma: boolean | undefined, dateFormat: string | undefined): CellFormat {
  return { decimalComma, ...(dateFormat !== undefined ? { dateFormat: parseDateFormat(dateFormat) } : {}) };
}

/** Read one flag's value by its setting's rule (for commands that take a few of push's settings). */
export function flagValue<T>(name: string, value: unknown): T | undefined {
  return value === undefined ? undefined : (readSetting(name, value, { origin: 'flag' }) as T);
}
