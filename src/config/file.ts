/**
 * The config file: `vitally-sync.config.json` (or `.yaml` / `.yml`) in the working directory, or
 * `--config <file>`. It holds connection settings and named syncs, never a secret. Loaded and checked
 * whole (zod) before anything is sent; an error names the file and the path of the bad key.
 *
 * Precedence, per setting: command-line flags, then the environment, then the file. Relative paths in
 * the file are relative to the file's folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { normalizeName, parseMappingFile } from '../mapping/mapper.js';
import { getObject, objectNames } from '../objects/index.js';
import { MODE_NAMES } from '../plan/plan.js';
import type { Env } from './connection.js';
import type { PushFlags } from './push.js';

export const CONFIG_FILE_NAMES = ['vitally-sync.config.json', 'vitally-sync.config.yaml', 'vitally-sync.config.yml'] as const;

/** Sync names: a letter first, so no name is an integer key (which JavaScript would reorder). */
const SYNC_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const TYPES = ['string', 'number', 'boolean', 'date', 'datetime', 'json'] as const;
const count = () => z.number().int().min(0);

const NET = {
  rate: count().optional(),
  concurrency: count().optional(),
  maxRetries: count().optional(),
  timeout: count().optional(),
  connectTimeout: count().optional(),
};

const ConnectionSchema = z.strictObject({
  region: z.enum(['us', 'eu']).optional(),
  subdomain: z.string().min(1).optional(),
  baseUrl: z.string().min(1).optional(),
  analyticsBaseUrl: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  analyticsTokenFile: z.string().min(1).optional(),
  ...NET,
});

const SyncSchema = z.strictObject({
  description: z.string().optional(),
  file: z.string().min(1),
  object: z.string().min(1),
  mode: z.enum(MODE_NAMES as [string, ...string[]]).optional(),
  match: z.enum(['externalId', 'email']).optional(),
  format: z.enum(['csv', 'ndjson']).optional(),
  delimiter: z.string().min(1).optional(),
  listSeparator: z.string().min(1).optional(),
  empty: z.enum(['omit', 'null']).optional(),
  map: z
    .union([z.record(z.string(), z.string()), z.array(z.string())], {
      error: 'must be an object of column: target, or a list of "column=target" strings',
    })
    .optional(),
  mapping: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())], {
      error: 'must be the path of a mapping file, or a mapping object {columns, ignore}',
    })
    .optional(),
  ignore: z.array(z.string()).optional(),
  types: z
    .union([z.enum(['as-read', 'vitally']), z.record(z.string(), z.enum(TYPES))], {
      error: `must be as-read or vitally (as --types), or an object of column: type (${TYPES.join(', ')})`,
    })
    .optional(),
  strictTraits: z.boolean().optional(),
  customFields: z.string().min(1).optional(),
  state: z.union([z.string().min(1), z.literal(false)], { error: 'must be a file path, or false for no state store' }).optional(),
  full: z.boolean().optional(),
  rejects: z.string().min(1).optional(),
  logRequests: z.string().min(1).optional(),
  deleteMissing: z.boolean().optional(),
  maxDeletes: count().optional(),
  via: z.enum(['rest', 'analytics']).optional(),
  batchSize: count().optional(),
  event: z.string().min(1).optional(),
  eventColumn: z.string().min(1).optional(),
  timestampColumn: z.string().min(1).optional(),
  unlinkRemoved: z.boolean().optional(),
  ...NET,
});

const FileSchema = z.strictObject({
  $schema: z.string().optional(),
  connection: ConnectionSchema.optional(),
  syncs: z.record(z.string(), SyncSchema).optional(),
});

export type ConnectionSection = z.infer<typeof ConnectionSchema>;
export type SyncSection = z.infer<typeof SyncSchema>;

export interface ConfigFile {
  path: string;
  dir: string;
  connection: ConnectionSection;
  syncs: Record<string, SyncSection>;
  /** Sync names in the order the file lists them (`run --all` runs them in this order). */
  order: string[];
}

/** The config file of a folder, or null. Two of them is an error: which one wins would be a guess. */
export function findConfigFile(cwd: string): string | null {
  const found = CONFIG_FILE_NAMES.map((n) => join(cwd, n)).filter((p) => existsSync(p));
  if (found.length > 1) throw new ConfigError(`${found.join(' and ')}: keep one config file (or name one with --config)`);
  return found[0] ?? null;
}

/**
 * The config file named by --config, else the one in `cwd`, else null. `flag === false` (--no-config)
 * ignores any file.
 */
export function resolveConfigFile(flag: string | boolean | undefined, cwd: string): ConfigFile | null {
  if (flag === false) return null;
  if (typeof flag === 'string') return loadConfigFile(resolve(cwd, flag));
  const found = findConfigFile(cwd);
  return found ? loadConfigFile(found) : null;
}

export function loadConfigFile(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`--config ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`, 'CONFIG_MISSING');
  }
  const raw = parseText(text, path);
  refuseSecrets(raw, path);
  const parsed = FileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssue(parsed.error.issues[0]!)}`);
  const data = parsed.data;
  const syncs = data.syncs ?? {};
  for (const [name, sync] of Object.entries(syncs)) {
    if (!SYNC_NAME.test(name)) {
      throw new ConfigError(`${path}: syncs.${name}: a sync name starts with a letter and holds letters, digits, '_', '-' and '.'`);
    }
    if (!(objectNames() as string[]).includes(sync.object)) {
      throw new ConfigError(`${path}: syncs.${name}.object: "${sync.object}" is not known: use one of ${objectNames().join(', ')}`);
    }
  }
  return { path, dir: dirname(path), connection: data.connection ?? {}, syncs, order: Object.keys(syncs) };
}

function parseText(text: string, path: string): unknown {
  if (/\.json$/i.test(path)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`);
    }
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(`${path}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  return doc.toJS();
}

const SECRET_KEY = /token|api[-_]?key|secret|passw(or)?d|authori[sz]ation|credential/i;
const SECRET_VALUE = /^(sk_[A-Za-z0-9_]{8,}|basic\s+[A-Za-z0-9+/=_-]{8,})$/i;

/** Paths of values that look like a secret: a token-like key holding a value, or a token-like value. */
export function findSecrets(value: unknown, path: string[] = []): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim())) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => found.push(...findSecrets(v, [...path, String(i)])));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const holdsValue = v !== null && v !== undefined && v !== '' && typeof v !== 'boolean';
      // tokenFile and analyticsTokenFile name a file: that is where a secret belongs.
      if (SECRET_KEY.test(k) && !/file$/i.test(k) && holdsValue && typeof v !== 'object') found.push([...path, k].join('.'));
      else found.push(...findSecrets(v, [...path, k]));
    }
  }
  return found;
}

function refuseSecrets(raw: unknown, path: string): void {
  const secrets = findSecrets(raw);
  if (secrets.length === 0) return;
  throw new ConfigError(
    `${path}: "${secrets[0]}" holds what looks like a secret, and secrets do not belong in the config file (it is meant to be committed and shared). ` +
      'Remove it, then set VITALLY_API_TOKEN (VITALLY_ANALYTICS_TOKEN for the Analytics API) in the environment, ' +
      'or put the token alone in a file only you can read and name that file with "tokenFile" ("analyticsTokenFile") under "connection". Nothing was sent',
  );
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(at);
    const near = known.find((k) => closeTo(k, key));
    return `${[...at, key].join('.')}: unknown setting${near ? ` (did you mean "${near}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`;
  }
  return `${at.length ? at.join('.') : '(top level)'}: ${issue.message}`;
}

function knownKeys(at: string[]): string[] {
  if (at.length === 0) return Object.keys(FileSchema.shape);
  if (at[0] === 'connection') return Object.keys(ConnectionSchema.shape);
  if (at[0] === 'syncs' && at.length === 2) return Object.keys(SyncSchema.shape);
  return [];
}

/** Edit distance at most 2, or the same name once case, '_' and '-' are ignored. */
function closeTo(a: string, b: string): boolean {
  if (normalizeName(a) === normalizeName(b)) return true;
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (Math.abs(x.length - y.length) > 2) return false;
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length]! <= 2;
}

export type FileFlags = PushFlags;

const abs = (dir: string, p: string | undefined) => (p === undefined || p === '-' || isAbsolute(p) ? p : resolve(dir, p));
const str = (n: number | undefined) => (n === undefined ? undefined : String(n));

/**
 * The file's connection settings as flags, leaving out each one the environment sets (the environment
 * wins over the file; flags win over both when merged on top).
 */
export function connectionFlags(file: ConfigFile, env: Env): FileFlags {
  const c = file.connection;
  const unlessEnv = <T>(name: string, v: T) => (env[name]?.trim() ? undefined : v);
  return compact({
    region: unlessEnv('VITALLY_REGION', c.region),
    subdomain: unlessEnv('VITALLY_SUBDOMAIN', c.subdomain),
    baseUrl: unlessEnv('VITALLY_BASE_URL', c.baseUrl),
    analyticsBaseUrl: unlessEnv('VITALLY_ANALYTICS_BASE_URL', c.analyticsBaseUrl),
    tokenFile: unlessEnv('VITALLY_API_TOKEN', abs(file.dir, c.tokenFile)),
    analyticsTokenFile: unlessEnv('VITALLY_ANALYTICS_TOKEN', abs(file.dir, c.analyticsTokenFile)),
    rate: str(c.rate),
    concurrency: str(c.concurrency),
    maxRetries: str(c.maxRetries),
    timeout: str(c.timeout),
    connectTimeout: str(c.connectTimeout),
  });
}

/** `push` with a config file: its connection settings fill the flags not given. */
export function withConfigFile<F extends PushFlags>(flags: F, env: Env, cwd: string): F {
  const file = resolveConfigFile(flags.config, cwd);
  if (!file) return flags;
  return { ...connectionFlags(file, env), ...compact(flags) } as F;
}

/**
 * One named sync as the input and flags `push` takes: the file's connection, then the sync's settings,
 * then the command line's flags (lists such as --map and --ignore are added after the file's).
 */
export function syncToPush(file: ConfigFile, name: string, env: Env, cli: FileFlags): { input: string; flags: FileFlags } {
  const s = file.syncs[name];
  if (!s) {
    const known = file.order.length ? `the syncs are: ${file.order.join(', ')}` : 'it has no "syncs"';
    throw new ConfigError(`No sync named "${name}" in ${file.path}: ${known}`);
  }
  const where = `${file.path}: syncs.${name}`;
  const map: string[] = [];
  const ignore: string[] = [...(s.ignore ?? [])];
  let mappingPath: string | undefined;
  if (typeof s.mapping === 'string') mappingPath = abs(file.dir, s.mapping);
  else if (s.mapping) {
    const m = parseMappingFile(s.mapping, `${where}.mapping`);
    for (const e of m.map) map.push(`${e.source}=${e.target}${e.type ? `:${e.type}` : ''}`);
    ignore.push(...m.ignore);
  }
  const entries: Array<[string, string]> = Array.isArray(s.map)
    ? s.map.map((e) => {
        const eq = e.indexOf('=');
        if (eq <= 0) throw new ConfigError(`${where}.map: "${e}": expected column=target or column=target:type`);
        return [e.slice(0, eq), e.slice(eq + 1)];
      })
    : Object.entries(s.map ?? {});
  const typed = new Map(typeof s.types === 'object' ? Object.entries(s.types) : []);
  for (const [column, target] of entries) {
    const type = typed.get(column);
    typed.delete(column);
    map.push(`${column}=${target}${type && !target.includes(':') ? `:${type}` : ''}`);
  }
  if (typed.size > 0) {
    const spec = getObject(s.object);
    const standard = new Set(
      [...Object.entries(spec.fields).flatMap(([n, f]) => [n, ...(f.aliases ?? [])]), ...Object.entries(spec.refs).flatMap(([n, r]) => [n, ...(r.aliases ?? [])])].map(
        normalizeName,
      ),
    );
    for (const [column, type] of typed) {
      if (!column.startsWith('traits.') && standard.has(normalizeName(column))) {
        throw new ConfigError(`${where}.types.${column}: "${column}" is a standard field of ${s.object} and has its type already; "types" is for trait columns`);
      }
      map.push(`${column}=${column.startsWith('traits.') ? column : `traits.${column}`}:${type}`);
    }
  }
  const fromSync: FileFlags = compact({
    object: s.object,
    mode: s.mode,
    match: s.match,
    format: s.format,
    delimiter: s.delimiter,
    listSeparator: s.listSeparator,
    empty: s.empty,
    mapping: mappingPath,
    map: map.length ? map : undefined,
    ignore: ignore.length ? ignore : undefined,
    state: s.state === false ? false : abs(file.dir, s.state),
    full: s.full,
    rejects: abs(file.dir, s.rejects),
    logRequests: abs(file.dir, s.logRequests),
    deleteMissing: s.deleteMissing,
    maxDeletes: str(s.maxDeletes),
    via: s.via,
    batchSize: str(s.batchSize),
    event: s.event,
    eventColumn: s.eventColumn,
    timestampColumn: s.timestampColumn,
    unlinkRemoved: s.unlinkRemoved,
    types: typeof s.types === 'string' ? s.types : undefined,
    strictTraits: s.strictTraits,
    customFields: abs(file.dir, s.customFields),
    rate: str(s.rate),
    concurrency: str(s.concurrency),
    maxRetries: str(s.maxRetries),
    timeout: str(s.timeout),
    connectTimeout: str(s.connectTimeout),
  });
  const given = compact(cli);
  const flags: FileFlags = { ...connectionFlags(file, env), ...fromSync, ...given, config: false };
  if (fromSync.map || given.map) flags.map = [...(fromSync.map ?? []), ...(given.map ?? [])];
  if (fromSync.ignore || given.ignore) flags.ignore = [...(fromSync.ignore ?? []), ...(given.ignore ?? [])];
  // The state store of a config file's syncs lives next to the file, whatever the working directory.
  if (flags.state === undefined && !flags.sandbox) flags.state = join(file.dir, '.vitally-sync', 'state.db');
  return { input: s.file === '-' ? '-' : abs(file.dir, s.file)!, flags };
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
