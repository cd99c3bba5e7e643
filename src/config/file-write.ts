/**
 * Writing init's proposal into the config file (file.ts reads it) as one named sync. An
 * existing file is edited in place (YAML keeps its comments) and checked again before it replaces the
 * old one; a sync of the same name is replaced only with --force.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { findConfigFile, loadConfigFile } from './file.js';
import { SYNC_NAME, type SyncSection } from './file-schema.js';
import { ConfigError } from '../errors.js';

export const DEFAULT_CONFIG_FILE = 'vitally-sync.config.json';

/** The config file to write: --config, else the one in the working directory, else a new JSON file there. */
export function configTarget(flag: string | undefined, cwd: string): string {
  if (flag) {
    const path = resolve(cwd, flag);
    if (!/\.(json|ya?ml)$/i.test(path)) throw new ConfigError(`--config ${flag}: the config file must end in .json, .yaml or .yml`);
    return path;
  }
  return findConfigFile(cwd) ?? join(cwd, DEFAULT_CONFIG_FILE);
}

/** A sync name from a file name: "export-accounts.csv" -> "export-accounts". */
export function syncNameFor(file: string): string {
  const base = basename(file, extname(file))
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z]+/, '');
  return base || 'sync';
}

export function checkSyncName(name: string): string {
  if (!SYNC_NAME.test(name)) throw new ConfigError(`--name "${name}": a sync name starts with a letter and holds letters, digits, '_', '-' and '.'`);
  return name;
}

export interface Written {
  path: string;
  created: boolean;
  replaced: boolean;
}

export function writeSync(path: string, name: string, sync: SyncSection, force: boolean): Written {
  const exists = existsSync(path);
  let text: string;
  let replaced = false;
  if (exists) {
    // Checked first: a file that does not load is never edited.
    const current = loadConfigFile(path);
    replaced = name in current.syncs;
    if (replaced && !force) {
      throw new ConfigError(
        `${path} already has a sync named "${name}": pass --force to replace it, or --name to give this one another name. Nothing was written`,
      );
    }
    const old = readFileSync(path, 'utf8');
    if (/\.json$/i.test(path)) {
      const raw = JSON.parse(old) as Record<string, unknown>;
      const syncs = (raw.syncs ?? {}) as Record<string, unknown>;
      syncs[name] = sync;
      raw.syncs = syncs;
      text = `${JSON.stringify(raw, null, 2)}\n`;
    } else {
      const doc = parseDocument(old);
      doc.setIn(['syncs', name], doc.createNode(sync));
      text = doc.toString();
    }
  } else {
    const raw = { syncs: { [name]: sync } };
    text = /\.json$/i.test(path) ? `${JSON.stringify(raw, null, 2)}\n` : new Document(raw).toString();
  }
  // Write beside it, check that it loads, then replace: a half-written or invalid file never stays.
  const tmp = join(dirname(path), `.${basename(path, extname(path))}.${process.pid}.tmp${extname(path)}`);
  try {
    writeFileSync(tmp, text);
    loadConfigFile(tmp);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof ConfigError) throw new ConfigError(`The proposal would not load (${err.message.replace(tmp, path)}); ${path} was left as it was`);
    throw new ConfigError(`${path}: cannot be written (${(err as { code?: string }).code ?? (err as Error).message})`);
  }
  return { path, created: !exists, replaced };
}
