/**
 * A failure of the state store (better-sqlite3's SqliteError) as a StateError a user can act on:
 * STATE_BUSY when another program held the database locked for longer than the busy timeout (try again
 * later), STATE_FAILED for the rest (a full disk, an I/O error, a file that became read-only).
 */
import { StateError } from '../errors.js';

export function storeFailure(err: unknown, path: string, doing: string): StateError {
  if (err instanceof StateError) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const message = (err as Error).message ?? String(err);
  const detail = code ? `${message} (${code})` : message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new StateError(
      `--state ${path} stayed locked by another program while ${doing} (${detail}): a backup, or an sqlite3 shell with a transaction open. Try again once it is done`,
      err,
      'STATE_BUSY',
    );
  }
  const why = /^SQLITE_FULL/.test(code)
    ? 'the disk is full'
    : /^SQLITE_READONLY/.test(code)
      ? 'it cannot be written any more'
      : /^SQLITE_IOERR/.test(code)
        ? 'the disk answered with an I/O error'
        : 'it failed';
  return new StateError(`--state ${path}: ${why} while ${doing} (${detail})`, err, 'STATE_FAILED');
}
