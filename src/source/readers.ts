/**
 * The reader registry: every input format, what each claims and takes, and how an input finds its
 * reader. Adding a reader means one file that reads (as csv.ts, parquet.ts) plus its entry in READERS
 * below; --format, the config file, the help, the progress bar, `init` and the checks of reader settings
 * all ask this registry. A reader whose library is heavy (Parquet, Postgres) loads it in read().
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { extname } from 'node:path';
import { ConfigError } from '../errors.js';
import { orList } from '../text.js';
import type { SourceRecord } from '../types.js';
import { readCsvBatches } from './csv.js';
import { encodingOf, isGzip, notText, SAVE_AS_CSV } from './decode.js';
import { READ_CHUNK_BYTES } from './input.js';
import { countLines } from './lines.js';
import { readNdjsonBatches } from './ndjson.js';
import { configureQuery, readQuery } from './postgres-settings.js';
import type { Reader, ReaderSetting } from './reader.js';

/** A file's extension, lower case, under a `.gz` if it has one: `a.CSV.gz` -> { ext: '.csv', gzip: true }. */
export function extensionOf(path: string): { ext: string; gzip: boolean } {
  const ext = extname(path).toLowerCase();
  if (ext !== '.gz') return { ext, gzip: false };
  return { ext: extname(path.slice(0, -3)).toLowerCase(), gzip: true };
}

/** The CSV delimiter: the setting, else the extension's (tab for .tsv, else comma), which a header can overrule. */
export function resolveDelimiter(path: string, delimiter?: string): string {
  if (delimiter === undefined) return extensionOf(path).ext === '.tsv' ? '\t' : ',';
  if (delimiter === '' || /["\r\n]/.test(delimiter)) {
    throw new ConfigError(`--delimiter ${JSON.stringify(delimiter)} cannot be used: it must be non-empty and hold no quote or line break`);
  }
  return delimiter;
}

/** A generator whose reader module is loaded on the first next() (its errors surface there too). */
async function* loaded(make: () => Promise<AsyncGenerator<SourceRecord[]>>): AsyncGenerator<SourceRecord[]> {
  yield* await make();
}

/** --encoding, which every reader of text takes. */
const ENCODING: ReaderSetting = {
  name: 'encoding',
  flag: '--encoding',
  kind: 'text',
  arg: 'name',
  help: 'the encoding of a text file without a byte-order mark: a WHATWG label such as windows-1252 (Excel on Windows), latin1, utf-16le (default utf-8)',
  check: (v) =>
    encodingOf(v)
      ? undefined
      : 'is not an encoding TextDecoder knows: use a WHATWG label such as utf-8, windows-1252, latin1, iso-8859-15, utf-16le or shift_jis',
};

const csv: Reader = {
  name: 'csv',
  label: 'CSV',
  noun: 'CSV',
  extensions: ['.csv', '.tsv', '.txt'],
  stdin: true,
  text: true,
  chunkBytes: READ_CHUNK_BYTES.csv,
  columnsFromFirst: true,
  valuesAreText: true,
  settings: [
    { name: 'delimiter', flag: '--delimiter', kind: 'char', arg: 'char', help: 'CSV delimiter (default: the one of , ; tab | the header holds most)' },
    ENCODING,
  ],
  // Lines less the header (a quoted cell over several lines makes it a little high).
  countRecords: async (path, signal) => {
    const lines = await countLines(path, signal);
    return lines === null ? null : Math.max(0, lines - 1);
  },
  read: (ctx) =>
    readCsvBatches({
      label: ctx.label,
      // Given, or found in the header (the extension's on a tie).
      delimiter: ctx.settings.delimiter === undefined ? undefined : resolveDelimiter(ctx.input, ctx.settings.delimiter as string),
      fallback: resolveDelimiter(ctx.input),
      note: ctx.note,
      found: ctx.found,
      maxRecordBytes: ctx.maxRecordBytes,
      signal: ctx.signal,
      open: ctx.open,
    }),
};

const ndjson: Reader = {
  name: 'ndjson',
  label: 'NDJSON',
  noun: 'NDJSON',
  extensions: ['.ndjson', '.jsonl'],
  stdin: true,
  text: true,
  chunkBytes: READ_CHUNK_BYTES.ndjson,
  columnsFromFirst: false,
  settings: [ENCODING],
  countRecords: countLines,
  read: (ctx) =>
    readNdjsonBatches({ label: ctx.label, maxRecordBytes: ctx.maxRecordBytes, signal: ctx.signal, open: ctx.open, note: ctx.note, found: ctx.found }),
};

const json: Reader = {
  name: 'json',
  label: 'JSON',
  noun: 'JSON',
  extensions: ['.json'],
  stdin: true,
  text: true,
  chunkBytes: READ_CHUNK_BYTES.ndjson,
  columnsFromFirst: false,
  settings: [ENCODING],
  read: (ctx) =>
    loaded(async () =>
      (await import('./json.js')).readJsonBatches({ label: ctx.label, maxRecordBytes: ctx.maxRecordBytes, signal: ctx.signal, open: ctx.open }),
    ),
};

const parquet: Reader = {
  name: 'parquet',
  label: 'Parquet',
  noun: 'Parquet',
  extensions: ['.parquet'],
  magic: [new TextEncoder().encode('PAR1')],
  stdin: { refusal: 'Parquet cannot be read from stdin (its footer, at the end, says where everything is): give the file' },
  columnsFromFirst: true,
  countRecords: async (path) => (await import('./parquet.js')).parquetRowCount(path),
  read: (ctx) =>
    loaded(async () => (await import('./parquet.js')).readParquetBatches({ path: ctx.input, label: ctx.label, signal: ctx.signal, ignore: ctx.ignore })),
};

const postgres: Reader = {
  name: 'postgres',
  label: 'Postgres',
  noun: 'a query',
  extensions: [],
  schemes: ['postgres:', 'postgresql:'],
  stdin: { refusal: 'A Postgres query is read from its database, not from stdin: give its postgres:// URL' },
  columnsFromFirst: true,
  settings: [
    { name: 'query', flag: '--query', kind: 'text', arg: 'sql', help: 'a postgres:// input: the SQL query whose rows are the input' },
    { name: 'queryFile', flag: '--query-file', kind: 'path', help: 'a postgres:// input: read the query from a file' },
    {
      name: 'passwordFile',
      flag: '--password-file',
      kind: 'path',
      help: 'a postgres:// input: read the database password from a file (default: the URL, else PGPASSWORD)',
    },
  ],
  configure: configureQuery,
  read: (ctx) => loaded(() => readQuery(ctx)),
};

/** The registered readers, in the order lists show them. */
const READERS: readonly Reader[] = [csv, ndjson, json, parquet, postgres];

/** The readers of files, which --format names (the others are told by their URL scheme). */
const fileReaders = () => READERS.filter((r) => !r.schemes?.length);

export function readerNames(): string[] {
  return READERS.map((r) => r.name);
}

/** What push and init take: "CSV, NDJSON or Parquet file, - for standard input, or a postgres:// URL". */
export function inputsHelp(): string {
  const urls = READERS.filter((r) => r.schemes?.length).map((r) => `a ${r.schemes![0]}// URL`);
  return `${orList(fileReaders().map((r) => r.label))} file, - for standard input${urls.length ? `, or ${orList(urls)}` : ''}`;
}

/** The settings the readers take (each once, in the readers' order). */
export function readerSettings(): ReaderSetting[] {
  const seen = new Map<string, ReaderSetting>();
  for (const r of READERS) for (const s of r.settings ?? []) if (!seen.has(s.name)) seen.set(s.name, s);
  return [...seen.values()];
}

/** The reader named by --format (or a config file's "format"). */
export function getReader(name: string): Reader {
  const reader = READERS.find((r) => r.name === name);
  if (!reader) throw new ConfigError(`--format "${name}" is not known: use ${orList(fileReaders().map((r) => r.name))}`);
  return reader;
}

/** The URL scheme an input starts with (postgres:), if any. */
const schemeOf = (input: string): string | undefined => /^([a-z][a-z0-9+.-]*:)\/\//i.exec(input)?.[1]?.toLowerCase();

/** The reader whose URL scheme the input starts with (postgres://...), if any: such an input is no file. */
export function readerByScheme(input: string): Reader | undefined {
  const scheme = schemeOf(input);
  return scheme ? READERS.find((r) => r.schemes?.includes(scheme)) : undefined;
}

/** The first `n` bytes of a file (fewer when it is shorter), or none when it cannot be read. */
function headOf(path: string, n: number): Buffer {
  const head = Buffer.alloc(n);
  try {
    const fd = openSync(path, 'r');
    try {
      return head.subarray(0, readSync(fd, head, 0, n, 0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return Buffer.alloc(0);
  }
}

/** The reader whose leading bytes the file starts with, if any. */
function readerByMagic(head: Buffer): Reader | undefined {
  return READERS.find((r) => r.magic?.some((m) => m.length <= head.length && head.subarray(0, m.length).equals(m)));
}

/** Extensions of spreadsheet workbooks, which are no export vitally-sync reads. */
const WORKBOOKS = ['.xlsx', '.xlsm', '.xlsb', '.xls', '.ods', '.numbers'];

/**
 * What vitally-sync reads, for messages: "CSV (.csv, .tsv, .txt), NDJSON (.ndjson, .jsonl) or Parquet
 * (.parquet) files (the text ones also gzip-compressed: .csv.gz, ...), standard input (-), or a
 * postgres:// URL".
 */
export function formatsText(): string {
  const files = orList(fileReaders().map((r) => `${r.label} (${r.extensions.join(', ')})`));
  const gz = READERS.filter((r) => r.text).map((r) => `${r.extensions[0]}.gz`);
  const urls = READERS.filter((r) => r.schemes?.length).map((r) => `a ${r.schemes![0]}// URL`);
  return `${files} files (the text ones also gzip-compressed: ${gz.join(', ')}), standard input (-)${urls.length ? `, or ${orList(urls)}` : ''}`;
}

/**
 * The input's reader: a URL is read by the reader of its scheme; else --format wins, else the file
 * extension, else the file's leading bytes. Throws ConfigError when none tells.
 */
export function readerFor(input: string, format?: string): Reader {
  const byScheme = readerByScheme(input);
  if (byScheme) {
    if (format !== undefined && format !== byScheme.name)
      throw new ConfigError(`--format ${format} does not apply to a ${schemeOf(input)}// URL: it is read as ${byScheme.noun}`);
    return byScheme;
  }
  if (format !== undefined) {
    const reader = getReader(format);
    if (reader.schemes?.length) throw new ConfigError(`--format ${reader.name} needs a ${reader.schemes[0]}// URL as the input`);
    if (input === '-' && reader.stdin !== true) throw new ConfigError(reader.stdin.refusal);
    return reader;
  }
  if (input === '-') throw new ConfigError(`Reading from stdin (-) needs ${orList(READERS.filter((r) => r.stdin === true).map((r) => `--format ${r.name}`))}`);
  const { ext, gzip } = extensionOf(input);
  const formats = orList(fileReaders().map((r) => r.name));
  if (gzip) {
    // Only text is read compressed (a Parquet file compresses its columns itself).
    const byInner = READERS.find((r) => r.text && r.extensions.includes(ext));
    if (byInner) return byInner;
    throw new ConfigError(
      `${input} is gzip-compressed, and its name does not say what it holds: name it ${orList(READERS.filter((r) => r.text).map((r) => `.${r.name}.gz`))}, or pass --format ${formats}`,
    );
  }
  const byExtension = READERS.find((r) => r.extensions.includes(ext));
  if (byExtension) return byExtension;
  const head = headOf(input, 8);
  const byMagic = readerByMagic(head);
  if (byMagic) return byMagic;
  const refused = notText(head) ?? (WORKBOOKS.includes(ext) ? `a spreadsheet workbook (${ext})` : undefined);
  if (refused) throw new ConfigError(`${input} is ${refused}, not a text export: ${SAVE_AS_CSV}. vitally-sync reads ${formatsText()}`);
  if (isGzip(head)) throw new ConfigError(`${input} is gzip-compressed, and its name does not say what it holds: pass --format ${formats}`);
  const what = ext ? `the extension "${ext}"` : 'a file name without an extension';
  throw new ConfigError(
    `Cannot tell the format of ${input} from ${what}. vitally-sync reads ${formatsText()}; if the file is one of these, pass --format ${formats}`,
  );
}

/**
 * The reader settings among `given` (by name; undefined counts as not given) that `reader` does not take,
 * each with the message that refuses it: "--delimiter is for CSV input, not NDJSON".
 */
export function foreignSettings(reader: Reader, given: Readonly<Record<string, unknown>>): Array<{ name: string; message: string }> {
  const own = new Set((reader.settings ?? []).map((s) => s.name));
  const found: Array<{ name: string; message: string }> = [];
  for (const s of readerSettings()) {
    if (own.has(s.name) || given[s.name] === undefined) continue;
    const owners = READERS.filter((r) => r.settings?.some((x) => x.name === s.name));
    const byUrl = owners.find((r) => r.schemes?.length);
    found.push({
      name: s.name,
      message: byUrl
        ? `${s.flag} is for a ${byUrl.label} input (a ${byUrl.schemes![0]}// URL in place of the file)`
        : `${s.flag} is for ${orList(owners.map((r) => r.label))} input, not ${reader.noun}`,
    });
  }
  return found;
}

/** The input format's name: see readerFor. */
export function detectFormat(input: string, format?: string): string {
  return readerFor(input, format).name;
}
