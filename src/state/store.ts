/**
 * The state store: an embedded SQLite file (better-sqlite3, WAL mode) that makes runs incremental and
 * idempotent. Opening a file that is not ours, or is damaged, is a clear StateError: never a silent reset.
 */
import { existsSync, mkdirSync, openSync, readSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import { APP_ID, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type DB = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\u0000';

function looksLikeSqlite(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    return n === 0 || buf.toString('latin1', 0, n) === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/** Open (creating when absent) the state file at `path`. */
export function openStore(path: string, opts: { readonly?: boolean } = {}): DB {
  const exists = existsSync(path);
  if (!exists && opts.readonly) throw new StateError(`No state file at ${path}: nothing has been synced with it yet`);
  if (exists && !looksLikeSqlite(path)) {
    throw new StateError(`--state ${path} is not a vitally-sync state file (not SQLite). Move it away or pass another --state path; it was left untouched`);
  }
  if (!exists) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new StateError(`Cannot create the folder of --state ${path}: ${(err as Error).message}`, err);
    }
  }
  let db: DB;
  try {
    db = new Database(path, { readonly: Boolean(opts.readonly), fileMustExist: Boolean(opts.readonly) });
  } catch (err) {
    throw new StateError(`Cannot open --state ${path}: ${(err as Error).message}`, err);
  }
  try {
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('busy_timeout = 5000');
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    const hasMeta = tables.some((t) => t.name === 'meta');
    if (tables.length > 0) {
      const app = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'app'").get() as { value: string } | undefined) : undefined;
      if (app?.value !== APP_ID) {
        throw new StateError(
          `--state ${path} is an SQLite database of something else (no vitally-sync tables). It was left untouched; pass another --state path`,
        );
      }
      const version = Number((db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value);
      if (version > SCHEMA_VERSION) {
        throw new StateError(`--state ${path} was written by a newer vitally-sync (schema ${version}); upgrade vitally-sync to use it`);
      }
    }
    if (!opts.readonly) {
      db.exec(SCHEMA);
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('app', ?), ('schema_version', ?)").run(APP_ID, String(SCHEMA_VERSION));
    }
    // A damaged file shows here rather than halfway through a run.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new StateError(`--state ${path} is damaged (${String(check)}). It was left untouched; restore a backup or pass another --state path`);
  } catch (err) {
    db.close();
    if (err instanceof StateError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed|corrupt/i.test(msg)) {
      throw new StateError(`--state ${path} is damaged or not a state file (${msg}). It was left untouched; pass another --state path`, err);
    }
    throw new StateError(`--state ${path}: ${msg}`, err);
  }
  return db;
}
