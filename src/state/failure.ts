/**
 * A failure of the state store (better-sqlite3's SqliteError) as a StateError a user can act on:
 * STATE_BUSY when another program held the database locked for longer than the busy timeout (try again
 * later), STATE_FAILED for the rest (a full disk, an I/O error, a file that became read-only); and what
 * to do when better-sqlite3 itself cannot be loaded.
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

/** Who needs better-sqlite3, and how to do without: the state store by default. */
export interface NativeUser {
  needs: string;
  without: string;
}

const STORE: NativeUser = { needs: 'The state store needs', without: 'Or run without the store: --no-state' };

/**
 * What to do when better-sqlite3's compiled part cannot be loaded: its install script did not run (npm 11
 * can block install scripts; `--ignore-scripts`), or it was built for another Node.js.
 */
export function nativeProblem(err: unknown, who: NativeUser = STORE): string | undefined {
  const message = (err as Error).message ?? '';
  if (/Could not locate the bindings file/.test(message)) {
    return (
      `${who.needs} better-sqlite3's compiled part, which was not built when vitally-sync was installed (its install script was blocked or skipped: Could not locate the bindings file). ` +
      'Install again with it allowed: npm install -g vitally-sync --allow-scripts=better-sqlite3 (or npx --allow-scripts=better-sqlite3 vitally-sync ...); ' +
      `in a project: npm approve-scripts better-sqlite3, then npm rebuild better-sqlite3 (see npm help approve-scripts). ${who.without}`
    );
  }
  if (/NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(message)) {
    return (
      `${who.needs} better-sqlite3, which was built for another version of Node.js than this one: run npm rebuild better-sqlite3 where vitally-sync is installed ` +
      `(or install it again). ${who.without}`
    );
  }
  return undefined;
}
