/**
 * An NDJSON file written line by line during a run: the rejects file (--rejects) and the request log
 * (--log-requests). Both open the file at the start (making its folder first, as `out/rejects.ndjson`
 * needs), write as rows go, and close it at the end. `checkOutputFile` says before a run whether one
 * can be written at all, and `checkApart` that it is no input of the run and no other output.
 *
 * A write error (disk full, a vanished mount) never crashes the process with an unhandled 'error' event:
 * the first error is recorded, later lines are dropped, and `close()` rejects with a ConfigError naming
 * the flag, the path and the error code (`--rejects out.ndjson: ENOSPC ...`), so the caller's usual error
 * path reports it and the run does not claim a complete file. An error that `opened()` already reported
 * is not reported again by `close()`.
 */
import { accessSync, constants, createWriteStream, mkdirSync, statSync, type Stats, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';

/**
 * Throws ConfigError when an output file (`flag` names it) could not be written: it is a folder, or it
 * cannot be replaced, or its folder is a file or cannot be made or written in. Reads only: the folder
 * is made when the file is opened.
 */
export function checkOutputFile(flag: string, path: string): void {
  const fail = (why: string) => new ConfigError(`${flag} ${path}: cannot be written (${why})`);
  const stat = statOf(path);
  if (stat?.isDirectory()) throw fail('it is a folder');
  let dir = dirname(resolve(path));
  if (stat) return writable(path, () => fail('permission denied'));
  // The nearest folder that exists must be one, and writable: the others are made in it.
  for (;;) {
    const s = statOf(dir);
    if (s) {
      if (!s.isDirectory()) throw fail(`${dir} is a file, not a folder`);
      return writable(dir, () => fail(`cannot write in ${dir}`));
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/**
 * A file a run reads or writes: `flag` names an output ('--rejects'), or the state store ('--state')
 * among the files it reads; `sync`, the sync of run --all it belongs to.
 */
export interface RunFile {
  path: string;
  flag?: string;
  sync?: string;
}

/**
 * Throws ConfigError when an output is opened on a file the run also reads or writes: the rejects file or
 * request log is emptied when it opens, so named like an input it destroys the export before it is read
 * (named like the state store, the store), and two outputs on one file overwrite each other's lines. A link to a file is that file. Inputs that are
 * no file (stdin, a URL) are left out.
 */
export function checkApart(inputs: readonly RunFile[], outputs: readonly RunFile[], configPath?: string): void {
  const files = inputs.filter((i) => i.path !== '-' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(i.path)).map((i) => ({ ...i, id: fileId(i.path) }));
  const seen: Array<RunFile & { id: string }> = [];
  for (const out of outputs) {
    const id = fileId(out.path);
    const input = files.find((i) => i.id === id);
    const name = `${out.flag} ${out.path}`;
    if (input?.flag === '--state') {
      throw inSync(out.sync, configPath, `${name} is the state store (--state): writing it would destroy what it holds. Name another file`);
    }
    if (input) {
      const whose = input.sync === out.sync ? 'the input itself' : `the input of sync "${input.sync}"`;
      const what = input.sync === out.sync ? 'the export' : 'that export';
      throw inSync(out.sync, configPath, `${name} is ${whose}: writing it would empty ${what} before it is read. Name another file`);
    }
    const other = seen.find((o) => o.id === id);
    if (other && other.sync === out.sync) {
      throw inSync(out.sync, configPath, `${other.flag} ${other.path} and ${name} are one file: each would overwrite the lines of the other. Name two files`);
    }
    if (other) {
      const flags = other.flag === out.flag ? out.flag : `${other.flag}, ${out.flag}`;
      throw new ConfigError(
        `syncs "${other.sync}" and "${out.sync}" both write ${out.path} (${flags}): the second would overwrite what the first wrote. Give each sync its own file (${flags === '--rejects' ? 'rejects' : flags === '--log-requests' ? 'logRequests' : 'rejects, logRequests'} in ${configPath})`,
      );
    }
    seen.push({ ...out, id });
  }
}

/** The files a run writes from its start: its rejects file and request log (`sync`: the sync of run --all). */
export function outputsOf(cfg: { rejects?: string | undefined; logRequests?: string | undefined }, sync?: string): RunFile[] {
  const out: RunFile[] = [];
  if (cfg.rejects) out.push({ path: cfg.rejects, flag: '--rejects', ...(sync !== undefined ? { sync } : {}) });
  if (cfg.logRequests) out.push({ path: cfg.logRequests, flag: '--log-requests', ...(sync !== undefined ? { sync } : {}) });
  return out;
}

const inSync = (sync: string | undefined, configPath: string | undefined, message: string) =>
  new ConfigError(sync === undefined ? message : `sync "${sync}" (${configPath}): ${message}`);

/** What tells a file apart: its device and inode when it exists (a link is its target), else its absolute path. */
function fileId(path: string): string {
  try {
    const s = statSync(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return resolve(path);
  }
}

/** The path's stat, or undefined when nothing is there (or a file stands where a folder would be). */
function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ConfigError(`Cannot look at ${path}: ${code ?? (err as Error).message}`);
  }
}

function writable(path: string, fail: () => ConfigError): void {
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw fail();
  }
}

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
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
    } catch {
      // Opening the file fails then, with its own code: opened() reports it.
    }
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
    } else if (!this.error && !this.stream.closed) {
      // A write failed and destroyed the stream, but its 'error' comes on a later tick (before 'close'):
      // wait for it, or the failure would go unreported and the run claim a complete file.
      try {
        await once(this.stream, 'close');
      } catch {
        // Recorded by the 'error' listener.
      }
    }
    if (!this.error || this.reported) return;
    this.reported = true;
    throw new ConfigError(`${this.flag} ${this.path}: ${this.error.code ?? this.error.message} (writing failed: the file is incomplete)`);
  }
}
