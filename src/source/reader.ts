/**
 * What a reader is: a name, what inputs it claims (file extensions, leading bytes, URL schemes), what it
 * can do (read standard input), the settings only it takes, and a function that yields the input's
 * records in batches. The registry of readers is readers.ts.
 */
import type { SourceRecord } from '../types.js';

/** A setting only some readers take, e.g. CSV's --delimiter. */
export interface ReaderSetting {
  /** Its name in SourceOptions and in the config file: "delimiter". */
  name: string;
  /** Its flag: "--delimiter". */
  flag: string;
  /** What its value is: one character (\t for a tab), a file path, or a text. */
  kind: 'char' | 'path' | 'text';
  /** Its line in the help: "CSV delimiter (default , and tab for .tsv)". */
  help: string;
  /** How the help names its value ("sql"); default: its kind. */
  arg?: string;
  /** Why a value cannot be used (`is not an encoding ...`), or undefined when it can. */
  check?: (value: string) => string | undefined;
}

/** What a reader makes of its settings for one input, before anything is read (see Reader.configure). */
export interface ReaderConfig {
  /** What read() is given in `ctx.settings` (a query's SQL and password), in place of the settings as given. */
  values: Record<string, unknown>;
  /** Values that must never be printed (a database password). */
  secrets: string[];
  /** How the state store names the input when the run names no scope (default: the file's absolute path). */
  sourceName?: string;
  /** How messages name the input (default: as given). */
  label?: string;
  /** How a config file names the input, with no secret in it (a URL without its password). */
  saved?: string;
  /** Why --delete-missing cannot mirror this input without a scope (--scope), if it cannot. */
  noMirror?: string;
}

/** What a reader is given to read one input. */
export interface ReaderContext {
  /** The input as given: a file path, '-' for standard input, or a URL. */
  input: string;
  /** The input as messages name it: the path, or "stdin". */
  label: string;
  /**
   * Opens the input (a file, or stdin) as a byte stream, read in the reader's chunk size. For a reader of
   * text (`text: true`) the bytes are UTF-8 where the input's form tells it (decode.ts: gzip undone,
   * UTF-16 or --encoding turned into UTF-8); other bytes come as they are, for the reader to check.
   */
  open(): Promise<NodeJS.ReadableStream>;
  /** Largest record kept in memory, in bytes (or characters of an NDJSON line). */
  maxRecordBytes: number;
  signal: AbortSignal | undefined;
  /** Columns the run leaves out (--ignore): a reader that can skip a column never decodes them. */
  ignore: readonly string[];
  /** The reader's own settings, by name, as given (or as its configure() made them). */
  settings: Readonly<Record<string, unknown>>;
  /** Say something worth knowing once (the delimiter it found): the run's summary lists it. */
  note(message: string): void;
  /**
   * Tell the run how the input is written, for its conversions: the CSV delimiter (`;` hints at a decimal
   * comma), a rejects file (its text cells may come from such an export).
   */
  found(facts: { delimiter?: string; rejects?: boolean }): void;
}

export interface Reader {
  /** As --format and the config file's "format" name it: "csv". */
  name: string;
  /** As lists name it: "CSV", "Parquet". */
  label: string;
  /** What an input of this reader is called where a setting does not apply to it: "NDJSON", "a query". */
  noun: string;
  /** File extensions it claims, lower case with the dot: ".csv". */
  extensions: readonly string[];
  /** Leading bytes that mark its files whatever their name (Parquet's "PAR1"). */
  magic?: readonly Uint8Array[];
  /** URL schemes it claims, with the colon: "postgres:". Such an input is not a file. */
  schemes?: readonly string[];
  /** It can read standard input (-); else why not. */
  stdin: true | { refusal: string };
  /** A text format read from open(): gzip-compressed files (`.csv.gz`) and --encoding are read too. */
  text?: boolean;
  /** Bytes read from a file at a time (readers of byte streams). */
  chunkBytes?: number;
  /** The first record names every column the others hold (a CSV header), so one record tells them all. */
  columnsFromFirst: boolean;
  /**
   * Every value it yields is text (CSV): nothing in the input says a column holds numbers, so `push`
   * types its trait columns from their first values (--types auto). Readers of typed values keep them.
   */
  valuesAreText?: boolean;
  /** The settings only this reader takes. */
  settings?: readonly ReaderSetting[];
  /**
   * Check its settings for an input before anything is read (throws ConfigError), and say what read()
   * needs, which values are secret, and how the input is named. `env` is the environment (PGPASSWORD).
   */
  configure?(input: string, settings: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): ReaderConfig;
  /** An estimate of the records in a file (for the progress bar), or null when it cannot tell. */
  countRecords?(path: string, signal?: AbortSignal): Promise<number | null>;
  /** The records in batches (about one chunk each). Errors about the input as a whole surface on the first next(). */
  read(ctx: ReaderContext): AsyncGenerator<SourceRecord[]>;
}
