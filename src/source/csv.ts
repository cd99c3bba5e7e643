/**
 * The CSV reader: csv-parse over a byte stream, one SourceRecord per data record.
 *
 * - The first non-blank record is the header (names trimmed; empty or duplicate names stop the read).
 * - Line numbers come from each record's own raw text (`raw: true`): the breaks inside it, and the empty
 *   lines csv-parse skipped before it. csv-parse's `info.lines` is not used: it counts a CRLF inside a
 *   quoted field as two lines, and `info: true` alone costs more than half of the parse time.
 * - `relax_quotes` lets csv-parse resynchronise after a stray quote; every record whose values hold a
 *   quote is re-scanned strictly (csv-scan.ts), so a bare quote still fails its row, with line and raw text.
 * - Errors csv-parse cannot continue past (a quote still open at the end of the input, a record larger
 *   than `maxRecordBytes`) come through `skip_records_with_error` and end the read with a fatal record.
 */

import { pipeline, type Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { InputError, RowError } from '../errors.js';
import type { SourceRecord } from '../types.js';
import { checkHeader, delimiterName, delimiterOf, headerLine, sepHint } from './csv-header.js';
import { readFailure } from './input.js';
import { Utf8Check, utf8Checked, type Utf8Error } from './utf8.js';
import { clip, countBreaks, fieldName, leadingBreakLength, quoteMessage, recordBody, refusedRecord, scanRecord } from './csv-scan.js';

export interface CsvReadOptions {
  /** The file path, or "stdin": used in errors about the input as a whole. */
  label: string;
  /** --delimiter; when not given, the one the header holds most (csv-header.ts), `fallback` on a tie. */
  delimiter: string | undefined;
  /** The extension's delimiter: tab for .tsv, else comma. */
  fallback: string;
  /** Says what was found once: the delimiter when it is not `fallback`, unnamed columns. */
  note?: (message: string) => void;
  /** Told the delimiter read with, before the first record. */
  found?: (facts: { delimiter: string }) => void;
  maxRecordBytes: number;
  signal: AbortSignal | undefined;
  /** Opens the input (a file, or stdin); called on the first `next()`. */
  open: () => Promise<NodeJS.ReadableStream>;
}

type ParsedItem = { record: string[]; raw: string } | { skipped: CsvError; raw: string };

/**
 * Records in batches: whatever the parser holds when asked (about one input chunk's worth), so that a
 * consumer pays one await per chunk, not per record. The parser is drained with read() (no async iterator
 * step per record); the input is still pulled only as batches are taken, so memory stays bounded.
 */
export async function* readCsvBatches(given: CsvReadOptions): AsyncGenerator<SourceRecord[]> {
  if (given.signal?.aborted) return;
  let input = (await given.open()) as Readable;
  // The first line: a `sep=;` hint above the header names the delimiter (and is no record); else,
  // unless --delimiter gives it, the header's names tell it.
  const first = await headerLine(input);
  input = first.stream;
  const hint = sepHint(first.line);
  const delimiter = given.delimiter ?? hint ?? delimiterOf(first.line, given.fallback);
  const o: Parsing = { ...given, delimiter };
  o.found?.({ delimiter });
  if (given.delimiter === undefined && hint !== undefined) {
    o.note?.(`${o.label}: the delimiter is ${delimiterName(o.delimiter)}, named by the file's first line "${first.line}" (read as no record)`);
  } else if (o.delimiter !== o.fallback && given.delimiter === undefined) {
    o.note?.(`${o.label}: the delimiter is ${delimiterName(o.delimiter)}, found in the header (--delimiter to choose another)`);
  }
  const parser = parse({
    delimiter: o.delimiter,
    bom: true,
    raw: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: o.maxRecordBytes,
  });
  // A skipped record goes into the record stream itself, so it keeps its place among the records.
  parser.on('skip', (err: CsvError, raw: string | undefined) => {
    parser.push({ skipped: err, raw: raw ?? '' } satisfies ParsedItem);
  });
  // Wake-ups for the drain loop below: data to read, the end, an error, or a close (an abort destroys it).
  let ended = false;
  let closed = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  parser.on('readable', poke);
  parser.on('end', () => {
    ended = true;
    poke();
  });
  parser.on('error', (err: unknown) => {
    failure ??= err;
    poke();
  });
  parser.on('close', () => {
    closed = true;
    poke();
  });
  // Bytes are checked to be UTF-8 on their way to the parser; at an invalid one the read stops once the
  // records before it are out.
  let notUtf8: Utf8Error | undefined;
  const utf8 = new Utf8Check(o.label, 'any');
  const checker = utf8Checked(utf8, (err) => {
    notUtf8 = err;
    poke();
  });
  pipeline(input as Readable, checker, parser, () => {
    // Errors reach the consumer through the drain loop below.
  });
  const onAbort = (): void => {
    parser.destroy();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const st: CsvState = { header: undefined, hasProto: false, nextLine: 1, row: 0, done: false, utf8, sepLine: hint !== undefined };
  try {
    for (;;) {
      if (o.signal?.aborted) return;
      if (failure !== undefined) throw failure;
      const batch: SourceRecord[] = [];
      if (!parser.destroyed) {
        for (let item = parser.read() as ParsedItem | null; item !== null; item = parser.read() as ParsedItem | null) {
          const rec = convert(item, st, o);
          if (rec !== undefined) batch.push(rec);
          if (st.done) break;
        }
      }
      if (batch.length > 0) yield batch;
      if (st.done) return;
      if (batch.length > 0) continue;
      if (failure !== undefined) throw failure;
      if (notUtf8 !== undefined) {
        // Done once the parser has taken in every byte before the invalid one and given its records.
        if (checker.readableLength === 0 && parser.writableLength === 0) throw notUtf8;
        await new Promise<void>((resolve) => setImmediate(resolve));
        continue;
      }
      if (ended) break;
      if (closed || parser.destroyed) {
        if (o.signal?.aborted) return;
        throw Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } catch (err) {
    if (o.signal?.aborted) return;
    throw readFailure(err, o.label);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    parser.destroy();
  }
  if (!st.header) throw new InputError('INPUT_EMPTY', `${o.label} is empty: no header and no records`);
}

/** The options as the read goes: the delimiter is known. */
type Parsing = CsvReadOptions & { delimiter: string };

/** The reader's running state: the header, and where the next record starts. */
interface CsvState {
  header: string[] | undefined;
  /** The header names a column `__proto__`, or leaves one unnamed: records take the slow path below. */
  hasProto: boolean;
  nextLine: number;
  row: number;
  /** Set once a fatal record was made: it is the last. */
  done: boolean;
  /** The input's check: whether a NUL byte went by. */
  utf8: Utf8Check;
  /** The first record is a `sep=` hint line, to be passed over (its line still counted). */
  sepLine: boolean;
}

/** One parsed item as a SourceRecord; undefined for the header and for blank lines. */
function convert(item: ParsedItem, st: CsvState, o: Parsing): SourceRecord | undefined {
  const raw = item.raw;
  const lead = leadingBreakLength(raw);
  const line = lead === 0 ? st.nextLine : st.nextLine + countBreaks(raw, lead);
  if ('skipped' in item) {
    const fatal = fatalRecord(item.skipped, raw.slice(lead), line, st.header, o);
    if (!st.header) throw new InputError('CSV_MALFORMED', `${o.label}: cannot read the header: ${fatal.error.message}`);
    st.done = true;
    return { row: st.row + 1, ...fatal };
  }
  st.nextLine += countBreaks(raw);
  const fields = item.record;
  if (fields.length === 1 && isBlank(fields[0] ?? '', raw)) return undefined;

  if (st.sepLine) {
    st.sepLine = false;
    return undefined;
  }
  const header = st.header;
  if (!header) {
    st.header = checkHeader(fields, recordBody(raw, lead), line, o);
    st.hasProto = st.header.includes('__proto__') || st.header.includes('');
    return undefined;
  }

  const row = ++st.row;
  const refused = refusedRecord(fields, raw, header, line, st.utf8.sawNul);
  if (refused !== undefined) return { row, line, error: new RowError('CSV_MALFORMED', refused), raw: clip(recordBody(raw, lead)) };
  let hasQuote = false;
  for (let i = 0; i < fields.length; i++) {
    if ((fields[i] as string).includes('"')) {
      hasQuote = true;
      break;
    }
  }
  if (hasQuote) {
    const body = recordBody(raw, lead);
    const problem = scanRecord(body, o.delimiter).problem;
    if (problem) {
      const message = quoteMessage(problem, body, line, header);
      return { row, line, error: new RowError('CSV_MALFORMED', message), raw: body };
    }
  }
  if (fields.length !== header.length) {
    const message = `line ${line}: expected ${header.length} fields (the header has ${header.length}), found ${fields.length}`;
    return { row, line, error: new RowError('CSV_MALFORMED', message), raw: recordBody(raw, lead) };
  }
  const data: Record<string, unknown> = {};
  if (st.hasProto) {
    for (let i = 0; i < header.length; i++) {
      const key = header[i] as string;
      if (key === '') {
        const value = fields[i] as string;
        if (value.trim() === '') continue;
        const message = `line ${line}: column ${i + 1} has no name in the header, but this row holds ${JSON.stringify(clip(value, 40))} there: name the column in the header, or remove the value`;
        return { row, line, error: new RowError('CSV_MALFORMED', message), raw: recordBody(raw, lead) };
      }
      if (key === '__proto__') {
        Object.defineProperty(data, key, { value: fields[i], enumerable: true, writable: true, configurable: true });
      } else {
        data[key] = fields[i];
      }
    }
  } else {
    for (let i = 0; i < header.length; i++) data[header[i] as string] = fields[i];
  }
  return { row, line, data };
}

/** A line csv-parse did not skip but holds nothing: only spaces or tabs, unquoted. */
function isBlank(value: string, raw: string): boolean {
  return value.trim() === '' && !raw.includes('"');
}

/** The last record: csv-parse could not go on (an unclosed quote, an oversized record). */
function fatalRecord(
  err: CsvError,
  raw: string,
  line: number,
  header: string[] | undefined,
  o: Parsing,
): { line: number; error: RowError; raw: string; fatal: true } {
  const scan = scanRecord(raw, o.delimiter);
  const quoteLine = scan.openQuote === -1 ? line : line + countBreaks(raw, scan.openQuote);
  const field = fieldName(scan.openField, header);
  let message: string;
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    message =
      `unclosed quoted field starting at line ${quoteLine}, in ${field}: no closing quote before the end of the input; ` +
      `the records from line ${line} on were not read`;
  } else if (err.code === 'CSV_MAX_RECORD_SIZE') {
    const cause = scan.openQuote === -1 ? '' : `; the quoted field starting at line ${quoteLine}, in ${field}, is probably never closed`;
    message = `the record starting at line ${line} is larger than ${o.maxRecordBytes} bytes${cause}; reading stopped there`;
  } else {
    message = `line ${line}: ${err.message}; reading stopped there`;
  }
  return { line, error: new RowError('CSV_MALFORMED', message), raw: clip(raw), fatal: true };
}
