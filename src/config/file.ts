/**
 * The config file: `vitally-sync.config.json` (or `.yaml` / `.yml`) in the working directory, or
 * `--config <file>`. It holds connection settings and named syncs, never a secret. Loaded and checked
 * whole (file-schema.ts) before anything is sent; an error names the file and the path of the bad key.
 *
 * Precedence, per setting: command-line flags, then the environment, then the file (sources.ts).
 * Relative paths in the file are relative to the file's folder; they are made absolute on loading.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createRequire } from 'node:module';
import type * as YAML from 'yaml';
import { ConfigError } from '../errors.js';
import { parseConfig, type ConnectionSection, type SyncSection } from './file-schema.js';
import { refuseSecrets } from './secrets.js';

export const CONFIG_FILE_NAMES = ['vitally-sync.config.json', 'vitally-sync.config.yaml', 'vitally-sync.config.yml'] as const;

export interface ConfigFile {
  path: string;
  dir: string;
  /** Its connection settings, read (paths absolute). */
  connection: ConnectionSection;
  /** Its syncs, their settings read (paths absolute). */
  syncs: Record<string, SyncSection>;
  /** Its syncs as written (for listing them). */
  written: Record<string, SyncSection>;
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
  const { connection, syncs } = parseConfig(raw, path, dirname(path));
  const written = ((raw as { syncs?: Record<string, SyncSection> } | null)?.syncs ?? {}) as Record<string, SyncSection>;
  return { path, dir: dirname(path), connection, syncs, written, order: Object.keys(syncs) };
}

function parseText(text: string, path: string): unknown {
  if (/\.json$/i.test(path)) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${path}: not valid JSON (${(err as Error).message})`);
    }
  }
  // yaml is loaded only for a YAML file.
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof YAML;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) throw new ConfigError(`${path}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
  return doc.toJS();
}
