/**
 * The state store: an embedded SQLite file (better-sqlite3, WAL mode) that makes runs incremental and
 * idempotent. A path that is not a usable store (a folder, another program's database, a damaged or a
 * newer file) is refused with a StateError before anything is written: the file is read-only checked
 * first, and only a store of ours (or an empty or absent file) is opened for writing.
 */
import { closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import { nativeProblem, storeFailure } from './failure.js';
import { acquireStateLock, type StateLock } from './lock.js';
import { APP_ID, MIGRATIONS, SCHEMA, SCHEMA_VERSION } from './schema.js';

export type DB = Database.Database;

const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** How long a statement waits for another program's lock on the store before failing (STATE_BUSY). */
const BUSY_TIMEOUT_MS = 5000;

export interface OpenOptions {
  readonly?: boolean;
  /** Take the store's run lock (src/state/lock.ts) before writing; `command` names this run to a second one. */
  lock?: { command: string };
}

const locks = new WeakMap<DB, StateLock>();

/** Open (creating when absent) the state file at `path`. Close it with closeStore, which also drops its lock. */
export function openStore(path: string, opts: OpenOptions = {}): DB {
  const found = inspect(path);
  if (found === 'absent' && opts.readonly) throw new StateError(`No state file at ${path}: nothing has been synced with it yet`);
  if (found === 'absent') {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (err) {
      throw new StateError(`Cannot create the folder of --state ${path}: ${(err as Error).message}`, err);
    }
  }
  const lock = opts.lock && !opts.readonly ? acquireStateLock(path, opts.lock.command) : undefined;
  let db: DB;
  try {
    db = opts.readonly ? readOnly(path) : new Database(path, { timeout: BUSY_TIMEOUT_MS });
  } catch (err) {
    lock?.release();
    throw err instanceof StateError ? err : new StateError(nativeProblem(err) ?? `Cannot open --state ${path}: ${(err as Error).message}`, err);
  }
  try {
    // Checked again on the open handle: the file may have changed since it was inspected.
    const version = found !== 'absent' ? checkOurs(db, path) : SCHEMA_VERSION;
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      if (version < SCHEMA_VERSION) {
        // A file of an older schema: brought up to date, one step at a time, in one transaction.
        db.transaction(() => {
          for (let v = version; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
          db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION));
        })();
      }
      db.exec(SCHEMA);
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('app', ?), ('schema_version', ?)").run(APP_ID, String(SCHEMA_VERSION));
    }
  } catch (err) {
    db.close();
    lock?.release();
    if (err instanceof StateError) throw err;
    throw storeFailure(err, path, 'opening it');
  }
  if (lock) locks.set(db, lock);
  return db;
}

/** Close a store opened by openStore, and release its run lock. */
export function closeStore(db: DB): void {
  try {
    db.close();
  } finally {
    locks.get(db)?.release();
    locks.delete(db);
  }
}

const readOnly = (path: string): DB => new Database(path, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });

/**
 * What is at `path`, found without writing anything: nothing, an empty file, or a store of ours (checked
 * read-only, damage included). Anything else throws StateError and is left untouched.
 */
function inspect(path: string): 'absent' | 'empty' | 'ours' {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) {
      throw new StateError(`--state ${path} is a folder, not a state file: pass a file path (for example ${join(path, 'state.db')})`);
    }
    if (!st.isFile()) throw new StateError(`--state ${path} is not a regular file: pass the path of a state file`);
    size = st.size;
  } catch (err) {
    if (err instanceof StateError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return 'absent';
    if (code === 'ENOTDIR') throw new StateError(`--state ${path}: a part of the path is a file, not a folder`, err);
    throw new StateError(`Cannot read --state ${path}: ${(err as Error).message}`, err);
  }
  if (size === 0) return 'empty';
  if (!hasSqliteHeader(path)) {
    throw new StateError(`--state ${path} is not a vitally-sync state file (not SQLite). Move it away or pass another --state path; it was left untouched`);
  }
  let db: DB | undefined;
  try {
    db = readOnly(path);
    checkOurs(db, path);
    // A damaged file shows here rather than halfway through a run.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new StateError(`--state ${path} is damaged (${String(check)}). It was left untouched; restore a backup or pass another --state path`);
  } catch (err) {
    if (err instanceof StateError) throw err;
    const msg = (err as Error).message;
    if (/not a database|malformed|corrupt/i.test(msg)) {
      throw new StateError(`--state ${path} is damaged or not a state file (${msg}). It was left untouched; pass another --state path`, err);
    }
    throw storeFailure(err, path, 'reading it');
  } finally {
    db?.close();
  }
  return 'ours';
}

function hasSqliteHeader(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(100);
    // A database file has a 100-byte header at least; the first 16 bytes name the format.
    return readSync(fd, buf, 0, 100, 0) === 100 && buf.toString('latin1', 0, 16) === SQLITE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * An SQLite database with no tables (a new one) or with ours, of a version this code reads: its schema
 * version (SCHEMA_VERSION for a new one).
 */
function checkOurs(db: DB, path: string): number {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
  if (tables.length === 0) return SCHEMA_VERSION;
  const hasMeta = tables.some((t) => t.name === 'meta');
  const app = hasMeta ? (db.prepare("SELECT value FROM meta WHERE key = 'app'").get() as { value: string } | undefined) : undefined;
  if (app?.value !== APP_ID) {
    throw new StateError(`--state ${path} is an SQLite database of something else (no vitally-sync tables). It was left untouched; pass another --state path`);
  }
  const version = Number((db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string }).value);
  if (version > SCHEMA_VERSION) {
    throw new StateError(`--state ${path} was written by a newer vitally-sync (schema ${version}); upgrade vitally-sync to use it`);
  }
  return version;
}
