/**
 * An NDJSON file written line by line during a run: the rejects file (--rejects) and the request log
 * (--log-requests). Both open the file at the start, write as rows go, and close it at the end.
 *
 * A write error (disk full, a vanished mount) never crashes the process with an unhandled 'error' event:
 * the first error is recorded, later lines are dropped, and `close()` rejects with a ConfigError naming
 * the flag, the path and the error code (`--rejects out.ndjson: ENOSPC ...`), so the caller's usual error
 * path reports it and the run does not claim a complete file. An error that `opened()` already reported
 * is not reported again by `close()`.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { ConfigError } from '../errors.js';

export class NdjsonFile {
  private readonly stream: WriteStream;
  /** The first error of the stream (opening or writing), if any. */
  error: (Error & { code?: string }) | undefined;
  private reported = false;

  constructor(
    /** The flag that named the file, for messages: '--rejects', '--log-requests'. */
    readonly flag: string,
    readonly path: string,
  ) {
    this.stream = createWriteStream(path, { flags: 'w' });
    this.stream.on('error', (err: Error) => {
      this.error ??= err;
    });
  }

  /** Resolves once the file is open; rejects with the fs error (its `code` says why) when it cannot be. */
  async opened(): Promise<void> {
    try {
      if (this.error) throw this.error;
      if (this.stream.pending) await once(this.stream, 'open');
    } catch (err) {
      this.reported = true;
      throw err;
    }
  }

  /** Whether lines are still written (false after an error). */
  get writable(): boolean {
    return !this.error && !this.stream.destroyed;
  }

  /** One line (without its line break). Dropped after an error: close() reports it. */
  writeLine(line: string): void {
    if (!this.writable) return;
    this.stream.write(`${line}\n`);
  }

  /** Flush and close; rejects with a ConfigError when a line could not be written. */
  async close(): Promise<void> {
    if (this.writable) {
      this.stream.end();
      try {
        await once(this.stream, 'finish');
      } catch {
        // Recorded by the 'error' listener.
      }
    }
    if (!this.error || this.reported) return;
    this.reported = true;
    throw new ConfigError(`${this.flag} ${this.path}: ${this.error.code ?? this.error.message} (writing failed: the file is incomplete)`);
  }
}
