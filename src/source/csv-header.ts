/**
 * The CSV delimiter, when none is given: found in the header line. Spreadsheets export with the list
 * separator of their locale: `,` in English, `;` where the comma is the decimal mark (most of Europe),
 * tab for "Text (Tab delimited)" and "Unicode text", sometimes `|`. The header is the line that tells
 * it best, since column names rarely hold a delimiter and it is read before any record.
 */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { quoteMessage, scanRecord } from './csv-scan.js';
import { peek } from './decode.js';

/** The delimiters told apart, in the order a tie is decided (after the extension's own). */
export const DELIMITERS = [',', ';', '\t', '|'] as const;

/** Bytes looked at at most for the header line. */
const HEAD_BYTES = 64 * 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Where the first line ends (a line break outside quotes), or -1 when `b` holds none. */
function lineEnd(b: Buffer): number {
  let quoted = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) return i;
  }
  return -1;
}

/** How often each delimiter stands between the header's names (outside quotes). */
function counts(line: string): Map<string, number> {
  const n = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && n.has(c)) n.set(c, n.get(c)! + 1);
  }
  return n;
}

/**
 * The delimiter of a header line: the one it holds most often; on a tie, or when it holds none (a
 * single column), `fallback` (the extension's: comma, tab for .tsv) wins, then the order of DELIMITERS.
 */
export function delimiterOf(line: string, fallback: string): string {
  const n = counts(line);
  let best = fallback;
  let most = n.get(fallback) ?? 0;
  for (const d of DELIMITERS) {
    const c = n.get(d)!;
    if (c > most) {
      best = d;
      most = c;
    }
  }
  return best;
}

/**
 * The delimiter a spreadsheet's hint line names (`sep=;`, which Excel reads and some exports write
 * above the header), or undefined when `line` is no such hint. Any one character but a quote or a
 * line break.
 */
export function sepHint(line: string): string | undefined {
  const m = /^sep=([^"\r\n])$/i.exec(line);
  return m?.[1];
}

/**
 * The input's first line (its header, after blank lines and a byte-order mark), and the stream to read
 * in the input's place (which gives that line again).
 */
export async function headerLine(input: Readable): Promise<{ line: string; stream: Readable }> {
  const { head, stream } = await peek(input, (b) => b.length < HEAD_BYTES && lineEnd(b.subarray(skipBlank(b))) === -1);
  const from = skipBlank(head);
  const rest = head.subarray(from, from + HEAD_BYTES);
  const end = lineEnd(rest);
  return { line: rest.subarray(0, end === -1 ? rest.length : end).toString('utf8'), stream };
}

/** Bytes of blank lines and a UTF-8 byte-order mark at the start. */
function skipBlank(b: Buffer): number {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (i < b.length && (b[i] === LF || b[i] === CR)) i++;
  return i;
}

/** How the note names a delimiter. */
export const delimiterName = (d: string): string => (d === '\t' ? 'tab' : `"${d}"`);

/** What checking a header needs of the read's options. */
export interface HeaderOptions {
  label: string;
  delimiter: string;
  note?: ((message: string) => void) | undefined;
}

/**
 * The header's column names, trimmed. A malformed header, one holding NUL bytes, a repeated name or no
 * name at all stops the read; an unnamed column (a trailing delimiter) is noted and kept as ''.
 */
export function checkHeader(fields: string[], body: string, line: number, o: HeaderOptions): string[] {
  const problem = scanRecord(body, o.delimiter).problem;
  if (problem) {
    const message = quoteMessage(problem, body, line, undefined);
    throw new InputError('CSV_MALFORMED', `${o.label}: the header is malformed: ${message}`);
  }
  if (body.includes('\u0000')) {
    throw new InputError(
      'CSV_MALFORMED',
      `${o.label} line ${line}: the header holds NUL bytes: the file is binary, or UTF-16 text without a byte-order mark (--encoding utf-16le)`,
    );
  }
  const names = fields.map((f) => f.trim());
  const seen = new Map<string, number>();
  const unnamed: number[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    // An unnamed column (Excel writes one for a trailing delimiter): left out where it is empty.
    if (name === '') {
      unnamed.push(i + 1);
      continue;
    }
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InputError(
        'CSV_MALFORMED',
        `${o.label} line ${line}: header column ${i + 1} ("${name}") repeats column ${first + 1}; column names must be unique`,
      );
    }
    seen.set(name, i);
  }
  if (seen.size === 0) throw new InputError('CSV_MALFORMED', `${o.label} line ${line}: the header names no column`);
  if (unnamed.length > 0) {
    const which = unnamed.length === 1 ? `column ${unnamed[0]} has` : `columns ${unnamed.join(', ')} have`;
    o.note?.(`${o.label}: ${which} no name in the header (a trailing delimiter, as Excel writes): left out where empty; a row holding a value there fails`);
  }
  return names;
}
