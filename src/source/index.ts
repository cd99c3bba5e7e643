/**
 * source/: readers that turn an input into a stream of SourceRecords `{ row, line, data }`, pulled a
 * batch at a time, with backpressure, so memory stays flat with the input's size: a CSV or NDJSON file
 * (or stdin), a Parquet file, the rows of a SQL query on Postgres (the input is a postgres:// URL).
 * A malformed record comes through as `{ row, line, error, raw }` and the read goes on; only a record the
 * parser cannot get past (an unclosed quote) ends it, flagged `fatal`. The Parquet and Postgres readers
 * (and their libraries) are loaded only when such an input is read.
 */

import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import type { InputFormat, SourceRecord } from '../types.js';
import { readCsvBatches } from './csv.js';
import { READ_CHUNK_BYTES, inputLabel, openInputFile } from './input.js';
import { readNdjsonBatches } from './ndjson.js';
import { isPostgresUrl, parsePostgresUrl } from './postgres-url.js';

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
  /** Postgres (a postgres:// URL as `path`): the SQL whose rows are read (--query). */
  query?: string;
  /** Postgres: the password, when it is not in the URL (--password-file, PGPASSWORD). */
  password?: string;
  /** Columns the Parquet and Postgres readers leave out (push --ignore): not decoded, so they fail no row. */
  ignore?: readonly string[];
}

/** The formats --format names; `postgres` is told by the input's postgres:// scheme. */
export const FORMATS: readonly InputFormat[] = ['csv', 'ndjson', 'parquet'];
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

const EXTENSIONS: Readonly<Record<string, InputFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.parquet': 'parquet',
};

/** The input format: a postgres:// URL is a query; else --format wins, else the file extension. Throws ConfigError when neither tells. */
export function detectFormat(path: string, format?: string): InputFormat {
  if (isPostgresUrl(path)) {
    if (format !== undefined && format !== 'postgres') throw new ConfigError(`--format ${format} does not apply to a postgres:// URL: its rows come from --query`);
    return 'postgres';
  }
  if (format === 'postgres') throw new ConfigError('--format postgres needs a postgres:// URL as the input (with --query)');
  if (format !== undefined) {
    if (format === 'parquet' && path === '-') throw new ConfigError('Parquet cannot be read from stdin (its footer, at the end, says where everything is): give the file');
    if ((FORMATS as readonly string[]).includes(format)) return format as InputFormat;
    throw new ConfigError(`--format "${format}" is not known: use csv, ndjson or parquet`);
  }
  if (path === '-') throw new ConfigError('Reading from stdin (-) needs --format csv or --format ndjson');
  const ext = extname(path).toLowerCase();
  const found = EXTENSIONS[ext];
  if (found) return found;
  const what = ext ? `the extension "${ext}"` : 'a file name without an extension';
  throw new ConfigError(
    `Cannot tell the format of ${path} from ${what} (known: .csv, .tsv, .txt, .ndjson, .jsonl, .parquet); pass --format csv, ndjson or parquet`,
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
    format = detectFormat(opts.path, opts.format);
    delimiter = format === 'csv' ? resolveDelimiter(opts.path, opts.delimiter) : ',';
  } catch (err) {
    return failing<SourceRecord[]>(err);
  }
  if (format === 'parquet') {
    return loaded(async () =>
      (await import('./parquet.js')).readParquetBatches({ path: opts.path, label: opts.path, signal: opts.signal, ignore: opts.ignore }),
    );
  }
  if (format === 'postgres') return readQuery(opts);
  const common = {
    label: inputLabel(opts.path),
    maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
    signal: opts.signal,
    open: async (): Promise<NodeJS.ReadableStream> =>
      opts.path === '-'
        ? (opts.stdin ?? process.stdin)
        : (await openInputFile(opts.path)).createReadStream({ highWaterMark: READ_CHUNK_BYTES[format as 'csv' | 'ndjson'] }),
  };
  return format === 'csv' ? readCsvBatches({ ...common, delimiter }) : readNdjsonBatches(common);
}

/** The rows of --query on the database of the postgres:// input. */
function readQuery(opts: SourceOptions): AsyncGenerator<SourceRecord[]> {
  return loaded(async () => {
    const target = parsePostgresUrl(opts.path);
    if (opts.query === undefined) throw new ConfigError(`Reading ${target.label} needs --query <sql> or --query-file <path>: the rows of that query are the input`);
    const { readPostgresBatches } = await import('./postgres.js');
    return readPostgresBatches({
      url: target.url,
      password: opts.password ?? target.password,
      label: target.label,
      sql: opts.query,
      signal: opts.signal,
      ignore: opts.ignore,
    });
  });
}

/** A reader whose module is loaded on the first `next()` (errors surface there too). */
async function* loaded(make: () => Promise<AsyncGenerator<SourceRecord[]>>): AsyncGenerator<SourceRecord[]> {
  yield* await make();
}

async function* failing<T>(err: unknown): AsyncGenerator<T> {
  throw err;
}

/** For checks before any request: throws InputError INPUT_NOT_FOUND or INPUT_UNREADABLE. */
export async function assertReadable(path: string): Promise<void> {
  if (path === '-' || isPostgresUrl(path)) return;
  const handle = await openInputFile(path);
  await handle.close();
}
