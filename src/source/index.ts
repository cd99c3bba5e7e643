/**
 * source/: readers that turn an input into a stream of SourceRecords `{ row, line, data }`, pulled a
 * batch at a time, with backpressure, so memory stays flat with the input's size: a CSV or NDJSON file
 * (or stdin), a Parquet file, the rows of a SQL query on Postgres (the input is a postgres:// URL).
 * A malformed record comes through as `{ row, line, error, raw }` and the read goes on; only a record the
 * reader cannot get past (an unclosed quote) ends it, flagged `fatal`. Which reader reads an input is the
 * registry's choice (readers.ts).
 */

import type { Readable } from 'node:stream';
import type { SourceRecord } from '../types.js';
import { decodeInput } from './decode.js';
import { inputLabel, openInputFile } from './input.js';
import { formatsText, readerByScheme, readerFor } from './readers.js';
import { Utf8Check } from './utf8.js';

export { detectFormat, foreignSettings, formatsText, getReader, inputsHelp, readerByScheme, readerFor, readerNames, readerSettings } from './readers.js';
export type { Reader, ReaderConfig, ReaderSetting } from './reader.js';

export interface SourceOptions {
  /** A file path, '-' for stdin, or a URL a reader claims (postgres://...). */
  path: string;
  /** The reader's name, from --format; else the registry chooses (URL scheme, extension, leading bytes). */
  format?: string;
  /** Defaults to process.stdin (tests pass their own stream). */
  stdin?: NodeJS.ReadableStream;
  /** Stop reading (Ctrl-C): the iterator ends cleanly after the current record. */
  signal?: AbortSignal;
  /**
   * Largest record kept in memory (CSV: bytes of one record; NDJSON: characters of one line). Default 16 MiB.
   * Guards against an unclosed quote swallowing the rest of a large file.
   */
  maxRecordBytes?: number;
  /** Columns left out (push --ignore): the Parquet and Postgres readers never decode them, so they fail no row. */
  ignore?: readonly string[];
  /** Told what the reader found worth saying once (the delimiter it detected, a rejects file recognised). */
  onNote?: (message: string) => void;
  /** Told how the input is written (the CSV delimiter), before its first record. */
  onFound?: (facts: { delimiter?: string; rejects?: boolean }) => void;
  /**
   * The reader's own settings, by the names it declares: CSV's delimiter (default: found in the header),
   * the encoding of text (`encoding`), a query's SQL (`query`) and `password`.
   */
  readonly [setting: string]: unknown;
}

export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/**
 * Records of the input, one at a time. Every error surfaces from the first `next()`: ConfigError (format,
 * delimiter, query), InputError (not found, unreadable, empty, bad header).
 */
export async function* readRecords(opts: SourceOptions): AsyncGenerator<SourceRecord> {
  for await (const batch of readRecordBatches(opts)) {
    for (const rec of batch) {
      if (opts.signal?.aborted) return;
      yield rec;
    }
  }
}

/**
 * The same records in batches (about one input chunk each), for the run: one await per batch rather than
 * per record. Same errors, same order; an abort ends it before the next batch.
 */
export function readRecordBatches(opts: SourceOptions): AsyncGenerator<SourceRecord[]> {
  try {
    const reader = readerFor(opts.path, opts.format);
    const label = inputLabel(opts.path);
    const bytes = async (): Promise<NodeJS.ReadableStream> =>
      opts.path === '-' ? (opts.stdin ?? process.stdin) : (await openInputFile(opts.path)).createReadStream({ highWaterMark: reader.chunkBytes ?? 64 * 1024 });
    return reader.read({
      input: opts.path,
      label,
      maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      signal: opts.signal,
      ignore: opts.ignore ?? [],
      settings: opts,
      note: (message) => opts.onNote?.(message),
      found: (facts) => opts.onFound?.(facts),
      // Text is handed over as UTF-8, whatever form it came in (gzip, UTF-16, --encoding).
      open: reader.text
        ? async () => decodeInput((await bytes()) as Readable, { label, encoding: opts.encoding as string | undefined, formats: formatsText() })
        : bytes,
    });
  } catch (err) {
    return failing(err);
  }
}

// eslint-disable-next-line require-yield -- an iterator that fails on its first next(), as a reader does
async function* failing(err: unknown): AsyncGenerator<never> {
  throw err;
}

/**
 * For checks before any request, on a text file (CSV, NDJSON, JSON; not stdin, which cannot be read
 * twice): reads its bytes once, as the run will decode them, and throws the InputError of the first
 * byte that is not text in its encoding (utf8.ts: its line, and the --encoding to give), so a file in
 * a legacy encoding is refused whole rather than after the rows before that byte were sent. One pass,
 * about as fast as the disk for plain UTF-8 (the check is native; gzip is decompressed for it); memory
 * stays at one chunk.
 */
export async function assertText(opts: SourceOptions): Promise<void> {
  if (opts.path === '-' || readerByScheme(opts.path)) return;
  const reader = readerFor(opts.path, opts.format);
  if (!reader.text) return;
  const label = inputLabel(opts.path);
  const raw = (await openInputFile(opts.path)).createReadStream({ highWaterMark: 256 * 1024 });
  const text = await decodeInput(raw, { label, encoding: opts.encoding as string | undefined, formats: formatsText() });
  const check = new Utf8Check(label, reader.name === 'csv' ? 'any' : 'lf', 'The file was read whole before the run: nothing was sent.');
  try {
    for await (const chunk of text as AsyncIterable<Buffer>) check.next(chunk);
    check.end();
  } finally {
    text.destroy();
  }
}

/** For checks before any request: throws InputError INPUT_NOT_FOUND or INPUT_UNREADABLE. Stdin and URLs pass. */
export async function assertReadable(path: string): Promise<void> {
  if (path === '-' || readerByScheme(path)) return;
  const handle = await openInputFile(path);
  await handle.close();
}
