/**
 * Where each setting's value comes from, per setting: the command line, then the environment, then the
 * config file's sync, then its connection. Every value, whatever its source, is read by the setting's
 * own rule (settings.ts); a bad one is a ConfigError with the setting's code that says where it was.
 * Values from a config file were read when the file was loaded (file.ts), so its mistakes stop a run
 * before anything is sent, named by their path in the file.
 */
import { ConfigError } from '../errors.js';
import type { Env } from './connection.js';
import { codeOf, Invalid, settingDefs, type Origin, type SettingDef } from './settings.js';

/** One section of a config file, its values already read: `where` names it in errors ("<file>: syncs.a"). */
export interface FileSection {
  values: Readonly<Record<string, unknown>>;
  where: string;
  /** A sync's name (`run`). */
  name?: string;
}

export interface Sources {
  /** The command line's options, as commander gives them (texts, booleans, lists); or push()'s options. */
  flags: Readonly<Record<string, unknown>>;
  /**
   * Set when `flags` are the options of the programmatic push(): values typed as in a config file (numbers,
   * booleans, objects), relative paths taken from `dir`, and errors naming the option rather than a flag.
   */
  options?: { dir: string } | undefined;
  env: Env;
  /** The config file's sync this push stands for (`run`). */
  sync?: FileSection | undefined;
  /** The config file's connection settings. */
  connection?: FileSection | undefined;
}

function def(name: string): SettingDef {
  const d = settingDefs()[name];
  if (!d) throw new Error(`internal: no setting named ${name}`);
  return d;
}

/** Read a value of a setting, or throw the ConfigError that names the setting, the value and where it was. */
export function readSetting(name: string, value: unknown, at: { origin: Origin; where?: string; dir?: string }): unknown {
  const d = def(name);
  try {
    return d.read(value, at.dir);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const shown = typeof value === 'string' ? ` "${value}"` : '';
    const where =
      at.origin === 'flag'
        ? `${d.flag}${shown}`
        : at.origin === 'env'
          ? `${d.env}${shown}`
          : at.origin === 'option'
            ? `push() option ${name}${shown}`
            : `${at.where}.${name}:${shown}`;
    throw new ConfigError(`${where} ${err.message}`, codeOf(name));
  }
}

/** A value and where it came from. */
export interface Given<T = unknown> {
  value: T;
  origin: Origin;
}

/** The settings of one push, resolved from its sources on first use. */
export class Settings {
  private readonly cache = new Map<string, Given | undefined>();

  constructor(readonly sources: Sources) {}

  /** The value of a setting and its origin, or undefined when no source gives it. */
  given<T = unknown>(name: string): Given<T> | undefined {
    if (!this.cache.has(name)) this.cache.set(name, this.resolve(name));
    return this.cache.get(name) as Given<T> | undefined;
  }

  get<T = unknown>(name: string): T | undefined {
    return this.given<T>(name)?.value;
  }

  /** Forget a setting (one from a config file that would have no effect here). */
  drop(name: string): void {
    this.cache.set(name, undefined);
  }

  private resolve(name: string): Given | undefined {
    const d = def(name);
    const { flags, env, sync, connection, options } = this.sources;
    const origin = options ? 'option' : 'flag';
    const fromFlag = flags[name] === undefined ? undefined : readSetting(name, flags[name], { origin, dir: options?.dir });
    if (d.list) {
      // The file's entries first, then the command line's (which override the file's for the same column).
      const fromFile = (sync?.values[name] as unknown[] | undefined) ?? [];
      const all = [...fromFile, ...((fromFlag as unknown[] | undefined) ?? [])];
      return all.length === 0 ? undefined : { value: all, origin: fromFlag !== undefined ? origin : 'sync' };
    }
    if (fromFlag !== undefined) return { value: fromFlag, origin };
    const envValue = d.env ? env[d.env]?.trim() : undefined;
    if (envValue) return { value: readSetting(name, envValue, { origin: 'env' }), origin: 'env' };
    if (d.overriddenBy && env[d.overriddenBy]?.trim()) return undefined;
    if (sync && sync.values[name] !== undefined) return { value: sync.values[name], origin: 'sync' };
    if (connection && connection.values[name] !== undefined) return { value: connection.values[name], origin: 'connection' };
    return undefined;
  }
}
