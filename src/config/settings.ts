/**
 * The settings of `push` (and of `run`, whose syncs are pushes): one table, the only place a setting is
 * defined. Each entry says its flag, where else it may come from (an environment variable, the config
 * file's `connection`, a sync), and how a value is read, whatever its source: a flag's text, an
 * environment variable, or a config file's typed value. A bad value is a ConfigError with the setting's
 * own code (CONFIG_INVALID_<NAME>, as csv-parse's CSV_INVALID_OPTION_<NAME>) naming where it came from.
 *
 * The config file's shape (file-schema.ts) is derived from this table, so a file and the command line
 * accept the same settings with the same rules. Values are read by plain code, not zod: a push with no
 * config file then never loads zod (about 30 ms and 7 MiB of every run).
 */
import { isAbsolute, resolve } from 'node:path';
import { MAX_BATCH } from '../analytics/batcher.js';
import { parseDateFormat } from '../mapping/locale.js';
import { MODE_NAMES } from '../plan/plan.js';
import { TYPES_POLICIES } from '../schema/setup.js';
import { readerNames, readerSettings } from '../source/index.js';
import { COMPARE_NAMES } from '../sync/compare/index.js';
import { LINKS_POLICIES } from '../sync/links.js';
import { TRANSPORT_NAMES } from '../sync/transports.js';
import { didYouMean } from '../suggest.js';
import { orList } from '../text.js';

/**
 * Where a value came from: the command line, the environment, a config file's sync or its connection, or
 * an option of the programmatic push() (typed as in a config file, and refused like a flag).
 */
export type Origin = 'flag' | 'env' | 'sync' | 'connection' | 'option';

/** A value that cannot be used: the message says what is wrong with it (the caller says where it was). */
export class Invalid extends Error {}

/** How one setting's values are read. `dir` is the config file's folder, for a value from the file. */
export interface SettingDef {
  flag: string;
  /** Where a config file may hold it: its `connection`, its syncs, or both. */
  file?: 'connection' | 'sync' | 'both';
  /** The environment variable that sets it, between the command line and the config file. */
  env?: string;
  /** Read a given value; throws Invalid. */
  read(value: unknown, dir: string | undefined): unknown;
  /** Repeatable: values from the file come first, the command line's are added after. */
  list?: boolean;
  /** An environment variable that, when set, wins over the config file's value (the token itself). */
  overriddenBy?: string;
}

const text = (v: unknown): string => {
  if (typeof v !== 'string' || v.trim() === '') throw new Invalid('must be a non-empty text');
  return v;
};

const flagValue = (v: unknown): boolean => {
  if (typeof v !== 'boolean') throw new Invalid('must be true or false');
  return v;
};

/** A path; relative paths in the config file are relative to its folder ('-' is standard input). */
const path = (v: unknown, dir: string | undefined): string => {
  const p = text(v);
  return dir === undefined || p === '-' || isAbsolute(p) ? p : resolve(dir, p);
};

const int =
  (min: number, max: number) =>
  (v: unknown): number => {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new Invalid(`must be a whole number from ${min} to ${max}`);
    return n;
  };

const choice =
  (names: readonly string[], hint = '') =>
  (v: unknown): string => {
    if (typeof v !== 'string' || !names.includes(v))
      throw new Invalid(`is not known${typeof v === 'string' ? didYouMean(v, names) : ''}: use ${orList(names)}${hint}`);
    return v;
  };

/** One character; `\t` stands for a tab. */
const char =
  (hint: string) =>
  (v: unknown): string => {
    const c = text(v).replace('\\t', '\t');
    if (c.length !== 1) throw new Invalid(`must be one character${hint}`);
    return c;
  };

const strings = (v: unknown): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Invalid('must be a list of texts');
  return v as string[];
};

/** A path, or (config file only) an object of the same shape as the file it would name. */
const pathOrObject =
  (what: string) =>
  (v: unknown, dir: string | undefined): string | Record<string, unknown> => {
    if (v && typeof v === 'object' && !Array.isArray(v) && dir !== undefined) return v as Record<string, unknown>;
    if (typeof v !== 'string') throw new Invalid(`must be the path of ${what}`);
    return path(v, dir);
  };

/** --map: "column=target[:type]" texts; in a file also an object of column: target. */
const mapEntries = (v: unknown): string[] => {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return Object.entries(v).map(([column, target]) => {
      if (typeof target !== 'string') throw new Invalid('must be an object of column: target, or a list of "column=target" strings');
      return `${column}=${target}`;
    });
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new Invalid('must be an object of column: target, or a list of "column=target" strings');
  return v as string[];
};

export const VALUE_TYPES = ['string', 'number', 'boolean', 'date', 'datetime', 'json'] as const;

/** --types: auto, vitally or as-read; in a file also an object of trait column: type. */
const types = (v: unknown, dir: string | undefined): string | Record<string, string> => {
  if (dir === undefined) return choice(TYPES_POLICIES, ' (default auto)')(v);
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [column, t] of Object.entries(v)) {
      if (typeof t !== 'string' || !(VALUE_TYPES as readonly string[]).includes(t)) {
        throw new Invalid(`${column}: must be one of ${VALUE_TYPES.join(', ')}`);
      }
    }
    return v as Record<string, string>;
  }
  return choice(TYPES_POLICIES, ' (as --types), or an object of column: type')(v);
};

/** --scope: a name for the state store's records of an input (`scope:<name>` there). */
const scopeName = (v: unknown): string => {
  const name = text(v);
  if (!/^[\w.:@/-]{1,200}$/.test(name)) throw new Invalid('must be letters, digits and . _ - : @ / (at most 200)');
  return name;
};

/** --date-format: the order of a date's parts, `DD.MM.YYYY` (checked here, read again where dates are read). */
const dateFormat = (v: unknown): string => {
  const f = text(v);
  try {
    parseDateFormat(f);
  } catch (err) {
    throw new Invalid(`${(err as Error).message}: write it with YYYY, MM, DD (and HH:mm, :ss), e.g. DD.MM.YYYY or MM/DD/YYYY HH:mm`);
  }
  return f;
};

/** --state <path>, or --no-state (false). */
const state = (v: unknown, dir: string | undefined): string | false => (v === false ? false : path(v, dir));

const NET = 'both' as const;

/** Every setting of push, by the name the config file and PushFlags use. */
export const SETTINGS = {
  // Where to send, and with which token (checked further by connection.ts and analytics.ts).
  region: {
    flag: '--region',
    file: 'connection',
    env: 'VITALLY_REGION',
    read: (v: unknown) => choice(['us', 'eu'])(typeof v === 'string' ? v.trim().toLowerCase() : v),
  },
  subdomain: { flag: '--subdomain', file: 'connection', env: 'VITALLY_SUBDOMAIN', read: text },
  baseUrl: { flag: '--base-url', file: 'connection', env: 'VITALLY_BASE_URL', read: text },
  analyticsBaseUrl: { flag: '--analytics-base-url', file: 'connection', env: 'VITALLY_ANALYTICS_BASE_URL', read: text },
  tokenFile: { flag: '--token-file', file: 'connection', read: path, overriddenBy: 'VITALLY_API_TOKEN' },
  analyticsTokenFile: { flag: '--analytics-token-file', file: 'connection', read: path, overriddenBy: 'VITALLY_ANALYTICS_TOKEN' },
  // How requests are paced and retried.
  rate: { flag: '--rate', file: NET, read: int(1, 100_000) },
  concurrency: { flag: '--concurrency', file: NET, read: int(1, 64) },
  maxRetries: { flag: '--max-retries', file: NET, read: int(0, 20) },
  timeout: { flag: '--timeout', file: NET, read: int(100, 600_000) },
  connectTimeout: { flag: '--connect-timeout', file: NET, read: int(100, 120_000) },
  retryBaseMs: { flag: '--retry-base-ms', read: int(0, 60_000) },
  maxWaitMs: { flag: '--max-wait-ms', read: int(10, 60_000) },
  // What is sent, and how.
  object: { flag: '--object', file: 'sync', read: text },
  mode: { flag: '--mode', file: 'sync', read: choice(MODE_NAMES) },
  match: { flag: '--match', file: 'sync', read: choice(['externalId', 'email']) },
  via: { flag: '--via', file: 'sync', read: choice(TRANSPORT_NAMES) },
  batchSize: { flag: '--batch-size', file: 'sync', read: int(1, MAX_BATCH) },
  event: { flag: '--event', file: 'sync', read: (v: unknown) => (typeof v === 'string' && !v.trim() ? invalid('needs a name') : text(v)) },
  eventColumn: { flag: '--event-column', file: 'sync', read: text },
  timestampColumn: { flag: '--timestamp-column', file: 'sync', read: text },
  unlinkRemoved: { flag: '--unlink-removed', file: 'sync', read: flagValue },
  links: { flag: '--links', file: 'sync', read: choice(LINKS_POLICIES, ' (default add)') },
  // The input, and how its columns become fields.
  format: { flag: '--format', file: 'sync', read: (v: unknown) => choice(readerNames())(v) },
  listSeparator: { flag: '--list-separator', file: 'sync', read: char('') },
  decimalComma: { flag: '--decimal-comma', file: 'sync', read: flagValue },
  dateFormat: { flag: '--date-format', file: 'sync', read: dateFormat },
  empty: { flag: '--empty', file: 'sync', read: choice(['omit', 'null'], ' (default omit)') },
  map: { flag: '--map', file: 'sync', read: mapEntries, list: true },
  mapping: { flag: '--mapping', file: 'sync', read: pathOrObject('a mapping file, or (in a config file) a mapping object {columns, ignore}') },
  ignore: { flag: '--ignore', file: 'sync', read: strings, list: true },
  types: { flag: '--types', file: 'sync', read: types },
  strictTraits: { flag: '--strict-traits', file: 'sync', read: flagValue },
  refreshSchema: { flag: '--refresh-schema', read: flagValue },
  customFields: { flag: '--custom-fields', file: 'sync', read: path },
  // What rows are compared with before sending, and --verify.
  compare: { flag: '--compare', file: 'sync', read: choice(COMPARE_NAMES, ' (default: state when the store knows these records, see docs/compare.md)') },
  verify: { flag: '--verify', file: 'sync', read: flagValue },
  verifyTimeout: { flag: '--verify-timeout', file: 'sync', read: int(0, 3600) },
  verifyIntervalMs: { flag: '--verify-interval-ms', read: int(10, 60_000) },
  // The state store and what it allows.
  state: { flag: '--state', file: 'sync', read: state },
  scope: { flag: '--scope', file: 'sync', read: scopeName },
  full: { flag: '--full', file: 'sync', read: flagValue },
  deleteMissing: { flag: '--delete-missing', file: 'sync', read: flagValue },
  maxDeletes: { flag: '--max-deletes', file: 'sync', read: int(0, 1_000_000) },
  maxDeleteShare: { flag: '--max-delete-share', file: 'sync', read: int(0, 100) },
  // Outputs.
  rejects: { flag: '--rejects', file: 'sync', read: path },
  logRequests: { flag: '--log-requests', file: 'sync', read: path },
  json: { flag: '--json', read: flagValue },
  quiet: { flag: '--quiet', read: flagValue },
  dryRun: { flag: '--dry-run', read: flagValue },
  sandbox: { flag: '--sandbox', read: flagValue },
} satisfies Record<string, SettingDef>;

function invalid(message: string): never {
  throw new Invalid(message);
}

export type SettingName = keyof typeof SETTINGS;

/** The reader settings (CSV's --delimiter, ...), as the readers declare them: read from a sync too. */
function readerSettingDefs(): Record<string, SettingDef> {
  const defs: Record<string, SettingDef> = {};
  for (const s of readerSettings()) {
    const read = s.kind === 'char' ? char(' (\\t for tab)') : s.kind === 'path' ? path : text;
    const check = s.check;
    defs[s.name] = {
      flag: s.flag,
      file: 'sync',
      read: check
        ? (v: unknown, dir: string | undefined) => {
            const value = read(v, dir);
            const problem = check(value);
            if (problem !== undefined) throw new Invalid(problem);
            return value;
          }
        : read,
    };
  }
  return defs;
}

let all: Record<string, SettingDef> | undefined;

/** Every setting: push's own and the readers'. */
export function settingDefs(): Record<string, SettingDef> {
  return (all ??= { ...readerSettingDefs(), ...SETTINGS });
}

/** The settings a config file may hold in a section. */
export function fileSettings(section: 'connection' | 'sync'): string[] {
  return Object.entries(settingDefs())
    .filter(([, d]) => d.file === section || d.file === 'both')
    .map(([name]) => name);
}

/** A setting's error code: CONFIG_INVALID_MAX_DELETES for maxDeletes. */
export function codeOf(name: string): `CONFIG_INVALID_${Uppercase<string>}` {
  return `CONFIG_INVALID_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase() as Uppercase<string>}`;
}
