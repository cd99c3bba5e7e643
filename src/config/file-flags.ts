/**
 * The config file's settings as the flags `push` takes: its connection for every command, and one named
 * sync for `run`. Precedence, per setting: command-line flags, then the environment, then the file.
 * Relative paths in the file are relative to the file's folder.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { normalizeName, parseMappingFile } from '../mapping/mapper.js';
import { getObject } from '../objects/index.js';
import type { Env } from './connection.js';
import { resolveConfigFile, type ConfigFile } from './file.js';
import type { NetSection, SyncSection } from './file-schema.js';
import type { PushFlags } from './push.js';
import { isPostgresUrl } from '../source/postgres-url.js';

export type FileFlags = PushFlags;

const abs = (dir: string, p: string | undefined) => (p === undefined || p === '-' || isAbsolute(p) ? p : resolve(dir, p));
const str = (n: number | undefined) => (n === undefined ? undefined : String(n));

/** The network settings of a connection or a sync, as flags. */
const netFlags = (n: NetSection) => ({
  rate: str(n.rate),
  concurrency: str(n.concurrency),
  maxRetries: str(n.maxRetries),
  timeout: str(n.timeout),
  connectTimeout: str(n.connectTimeout),
});

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
    ...netFlags(c),
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
  const { map, ignore, mappingPath } = syncMapping(s, file.dir, `${file.path}: syncs.${name}`);
  const fromSync: FileFlags = compact({
    object: s.object,
    mode: s.mode,
    match: s.match,
    format: s.format,
    query: s.query,
    queryFile: abs(file.dir, s.queryFile),
    passwordFile: abs(file.dir, s.passwordFile),
    scope: s.scope,
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
    ...netFlags(s),
  });
  const given = compact(cli);
  const flags: FileFlags = { ...connectionFlags(file, env), ...fromSync, ...given, config: false };
  flags.fromConfig = (Object.keys(fromSync) as Array<keyof FileFlags>).filter((k) => !(k in given));
  if (fromSync.map || given.map) flags.map = [...(fromSync.map ?? []), ...(given.map ?? [])];
  if (fromSync.ignore || given.ignore) flags.ignore = [...(fromSync.ignore ?? []), ...(given.ignore ?? [])];
  // The state store of a config file's syncs lives next to the file, whatever the working directory.
  if (flags.state === undefined && !flags.sandbox) flags.state = join(file.dir, '.vitally-sync', 'state.db');
  return { input: s.file === '-' || isPostgresUrl(s.file) ? s.file : abs(file.dir, s.file)!, flags };
}

/**
 * A sync's "mapping", "map", "types" and "ignore" as --mapping, --map and --ignore: `where` names the
 * sync in errors.
 */
function syncMapping(s: SyncSection, dir: string, where: string): { map: string[]; ignore: string[]; mappingPath: string | undefined } {
  const map: string[] = [];
  const ignore: string[] = [...(s.ignore ?? [])];
  let mappingPath: string | undefined;
  if (typeof s.mapping === 'string') mappingPath = abs(dir, s.mapping);
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
  return { map, ignore, mappingPath };
}

/** `o` without its undefined values (so spreading it over defaults keeps them). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
