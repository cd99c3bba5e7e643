/**
 * A config file as a source of settings: its connection for every command, and one named sync for `run`
 * (sources.ts merges them under the command line and the environment). The values were read when the
 * file was loaded, relative paths made absolute, so nothing here turns them back into flags.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { readerByScheme } from '../source/index.js';
import type { Env } from './connection.js';
import { resolveConfigFile, type ConfigFile } from './file.js';
import { fileSettings, settingDefs } from './settings.js';
import type { Sources } from './sources.js';

/** The sources of a push: its flags, the environment, and the connection of the config file, if any. */
export function pushSources(flags: Record<string, unknown>, env: Env, cwd: string): Sources {
  const file = resolveConfigFile(flags.config as string | boolean | undefined, cwd);
  return { flags, env, connection: file ? { values: file.connection, where: `${file.path}: connection` } : undefined };
}

/**
 * The input and sources of one named sync: the command line's flags over the sync's settings over the
 * file's connection (lists such as --map and --ignore are added after the file's).
 */
export function syncSources(file: ConfigFile, name: string, flags: Record<string, unknown>, env: Env): { input: string; sources: Sources } {
  const sync = file.syncs[name];
  if (!sync) {
    const known = file.order.length ? `the syncs are: ${file.order.join(', ')}` : 'it has no "syncs"';
    throw new ConfigError(`No sync named "${name}" in ${file.path}${didYouMean(name, file.order)}: ${known}`);
  }
  const values: Record<string, unknown> = { ...sync };
  // The state store of a config file's syncs lives next to the file, whatever the working directory.
  if (values.state === undefined && !flags.sandbox) values.state = join(file.dir, '.vitally-sync', 'state.db');
  return {
    // A URL (postgres://...) is no path: it is taken as it is.
    input: sync.file === '-' || readerByScheme(sync.file) ? sync.file : resolveInDir(file.dir, sync.file),
    sources: {
      flags: { ...flags, config: false },
      env,
      sync: { values, where: `${file.path}: syncs.${name}`, name },
      connection: { values: file.connection, where: `${file.path}: connection` },
    },
  };
}

const resolveInDir = (dir: string, p: string) => (isAbsolute(p) ? p : resolve(dir, p));

/** The host and token settings of the file's connection, leaving out each one the environment sets. */
export function connectionFlags(file: ConfigFile, env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of fileSettings('connection')) {
    const value = file.connection[name];
    const def = settingDefs()[name]!;
    const variable = def.env ?? def.overriddenBy;
    if (typeof value === 'string' && !(variable && env[variable]?.trim())) out[name] = value;
  }
  return out;
}

/** A command's flags over the host and token settings of the config file (flags, environment, file). */
export function withConfigFile<F extends { config?: string | boolean | undefined }>(flags: F, env: Env, cwd: string): F {
  const file = resolveConfigFile(flags.config, cwd);
  if (!file) return flags;
  return { ...connectionFlags(file, env), ...compact(flags) } as F;
}

/** `o` without its undefined values (so spreading it over defaults keeps them). */
export function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
