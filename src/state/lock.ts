/**
 * One run at a time per state file. Two runs sharing a store would both find every row unsent and both
 * send it, so a run that writes the store first takes its lock, and a second run is refused at once
 * (StateError STATE_LOCKED, exit 75: try again later) with the holder named.
 *
 * The lock is SQLite's own: a small database next to the store (`<state>.lock`) in which the holder
 * keeps a write transaction open (BEGIN IMMEDIATE) for the whole run. The operating system drops it
 * when the holder's process ends in any way, kill -9 included, so a lock is never left stale. Who holds
 * it is written in the same file before the transaction begins (pid, host, start time, command); a
 * second run reads those rows (reading is allowed while the write lock is held) and names the holder:
 * the row of a live process, else the newest.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { StateError } from '../errors.js';
import { nativeProblem, storeFailure } from './failure.js';

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface StateLock {
  readonly path: string;
  release(): void;
}

export const lockPathOf = (statePath: string): string => `${statePath}.lock`;

const isBusy = (err: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((err as { code?: unknown }).code ?? ''));

/** Take the lock of the store at `statePath` for this process, or throw StateError STATE_LOCKED naming the holder. */
export function acquireStateLock(statePath: string, command: string): StateLock {
  const path = lockPathOf(statePath);
  const me: LockHolder & { token: string } = { token: randomUUID(), pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  let db: Database.Database;
  try {
    // No waiting: a run that holds the lock holds it for minutes.
    db = new Database(path, { timeout: 0 });
  } catch (err) {
    throw new StateError(nativeProblem(err) ?? `Cannot create the lock file ${path} of --state ${statePath}: ${(err as Error).message}`, err);
  }
  try {
    db.exec(
      'CREATE TABLE IF NOT EXISTS holders (token TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, command TEXT NOT NULL)',
    );
    db.prepare('INSERT INTO holders (token, pid, host, started_at, command) VALUES (?, ?, ?, ?, ?)').run(me.token, me.pid, me.host, me.startedAt, me.command);
    db.exec('BEGIN IMMEDIATE');
  } catch (err) {
    let holder: LockHolder | undefined;
    try {
      holder = isBusy(err) ? holderOf(db, me.token) : undefined;
    } catch {
      // Who holds it is only for the message (the holder may still be creating the file).
    } finally {
      db.close();
    }
    if (!isBusy(err)) throw storeFailure(err, statePath, `taking its lock (${path})`);
    throw new StateError(lockedMessage(statePath, holder), err, 'STATE_LOCKED');
  }
  let released = false;
  return {
    path,
    release(): void {
      if (released) return;
      released = true;
      try {
        // The rows of earlier holders are stale by now: theirs and ours go. A failure (a full disk) is
        // harmless: closing drops the lock, and the next holder clears the rows.
        db.exec('DELETE FROM holders');
        db.exec('COMMIT');
      } catch {
        // see above
      } finally {
        db.close();
      }
    },
  };
}

/** The holder among the rows other than ours: a live process on this host first, then the newest. */
function holderOf(db: Database.Database, token: string): LockHolder | undefined {
  const rows = db
    .prepare('SELECT pid, host, started_at AS startedAt, command FROM holders WHERE token <> ? ORDER BY started_at DESC')
    .all(token) as LockHolder[];
  const host = hostname();
  return rows.find((r) => r.host !== host || alive(r.pid)) ?? rows[0];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

function lockedMessage(statePath: string, h: LockHolder | undefined): string {
  const who = h ? `another vitally-sync run: pid ${h.pid} on ${h.host}, started ${h.startedAt} (${h.command})` : 'another vitally-sync run';
  return (
    `--state ${statePath} is in use by ${who}. Two runs on one state file would send the same rows twice, ` +
    'so this one sent nothing: try again once that run has finished (exit 75)'
  );
}
