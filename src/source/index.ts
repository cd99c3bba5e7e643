/**
 * source/: readers that turn a CSV or NDJSON file (or stdin) into a stream of SourceRecords
 * `{ row, line, data }`, pulled one at a time or a chunk's worth at a time, with backpressure, so memory stays flat with file size.
 * A malformed record comes through as `{ row, line, error, raw }` and the read goes on; only a record the
 * parser cannot get past (an unclosed quote) ends it, flagged `fatal`.
 */

import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import type { InputFormat, SourceRecord } from '../types.js';
import { readCsvBatches } from './csv.js';
import { READ_CHUNK_BYTES, inputLabel, openInputFile } from './input.js';
import { readNdjsonBatches } from './ndjson.js';

export interface SourceOptions {
  /** A file path, or '-' for stdin. */
  path: string;
  /** From --format; else from the extension. */
  format?: InputFormat;
  /** Defaults to process.stdin (tests pass their own stream). */
  stdin?: NodeJS.ReadableStream;
  /** CSV delimiter; default ',' ('\t' for .tsv). */
  delimiter?: string;
  /** Stop reading (Ctrl-C): the iterator ends cleanly after the current record. */
  signal?: AbortSignal;
  /**
   * Largest record kept in memory (CSV: bytes of one record; NDJSON: characters of one line). Default 16 MiB.
   * Guards against an unclosed quote swallowing the rest of a large file.
   */
  maxRecordBytes?: number;
}

export const FORMATS: readonly InputFormat[] = ['csv', 'ndjson'];
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

const EXTENSIONS: Readonly<Record<string, InputFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
};

/** The input format: --format wins; else the file extension. Throws ConfigError when neither tells. */
export function detectFormat(path: string, format?: string): InputFormat {
  if (format !== undefined) {
    if ((FORMATS as readonly string[]).includes(format)) return format as InputFormat;
    throw new ConfigError(`--format "${format}" is not known: use csv or ndjson`);
  }
  if (path === '-') throw new ConfigError('Reading from stdin (-) needs --format csv or --format ndjson');
  const ext = extname(path).toLowerCase();
  const found = EXTENSIONS[ext];
  if (found) return found;
  const what = ext ? `the extension "${ext}"` : 'a file name without an extension';
  throw new ConfigError(
    `Cannot tell the format of ${path} from ${what} (known: .csv, .tsv, .txt, .ndjson, .jsonl); pass --format csv or --format ndjson`,
  );
}

/** The CSV delimiter: the option, else tab for .tsv, else comma. */
export function resolveDelimiter(path: string, delimiter?: string): string {
  if (delimiter === undefined) return extname(path).toLowerCase() === '.tsv' ? '\t' : ',';
  if (delimiter === '' || /["\r\n]/.test(delimiter)) {
    throw new ConfigError(`--delimiter ${JSON.stringify(delimiter)} cannot be used: it must be non-empty and hold no quote or line break`);
  }
  return delimiter;
}

/**
 * Records of the input, one at a time. Every error surfaces from the first `next()`: ConfigError (format,
 * delimiter), InputError (not found, unreadable, empty, bad header).
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
  let format: InputFormat;
  let delimiter: string;
  try {
    format = opts.format ?? detectFormat(opts.path);
    delimiter = format === 'csv' ? resolveDelimiter(opts.path, opts.delimiter) : ',';
  } catch (err) {
    return failing<SourceRecord[]>(err);
  }
  const common = {
    label: inputLabel(opts.path),
    maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    signal: opts.signal,
    open: async (): Promise<NodeJS.ReadableStream> =>
      opts.path === '-'
        ? (opts.stdin ?? process.stdin)
        : (await openInputFile(opts.path)).createReadStream({ highWaterMark: READ_CHUNK_BYTES[format] }),
  };
  return format === 'csv' ? readCsvBatches({ ...common, delimiter }) : readNdjsonBatches(common);
}

async function* failing<T>(err: unknown): AsyncGenerator<T> {
  throw err;
}

/** For checks before any request: throws InputError INPUT_NOT_FOUND or INPUT_UNREADABLE. */
export async function assertReadable(path: string): Promise<void> {
  if (path === '-') return;
  const handle = await openInputFile(path);
  await handle.close();
}
