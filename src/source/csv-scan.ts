/**
 * Pure helpers over the raw text of one CSV record (csv-parse `raw: true`): line breaks, and a re-scan that
 * finds what a strict RFC 4180 reading would reject. The parser runs with `relax_quotes` so that it
 * resynchronises at the next line after a stray quote; this scan turns what it let through into row errors.
 */

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Line breaks in `s` before `end`: CRLF, LF and a lone CR each count once. */
export function countBreaks(s: string, end = s.length): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1 && i < end; i = s.indexOf('\n', i + 1)) n++;
  for (let i = s.indexOf('\r'); i !== -1 && i < end; i = s.indexOf('\r', i + 1)) {
    if (s.charCodeAt(i + 1) !== LF) n++;
  }
  return n;
}

/** Length of the run of CR/LF at the start of `s`: the empty lines csv-parse skipped before this record. */
export function leadingBreakLength(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== CR && c !== LF) break;
    i++;
  }
  return i;
}

/** The record's own text: without the empty lines before it and the record delimiter after it. */
export function recordBody(raw: string, lead: number): string {
  let end = raw.length;
  const last = raw.charCodeAt(end - 1);
  // A break at the very end is the record delimiter (one inside quotes would be followed by the quote).
  if (end > lead && (last === LF || last === CR)) end--;
  return lead === 0 && end === raw.length ? raw : raw.slice(lead, end);
}

export interface QuoteProblem {
  kind: 'bare-quote' | 'after-closing-quote';
  /** Offset in the record body of the offending character. */
  offset: number;
  /** 0-based field index. */
  field: number;
  /** The character found after a closing quote. */
  found?: string;
  /** Offset of the opening quote of the field that was closed too early. */
  openedAt?: number;
}

export interface ScanResult {
  problem: QuoteProblem | undefined;
  /** Offset of the opening quote of a field still open at the end of the text, else -1. */
  openQuote: number;
  /** 0-based index of that field. */
  openField: number;
}

/**
 * Walks a record body with csv-parse's relaxed semantics (a quote opens a field only at its start; a quote
 * followed by anything but a delimiter or the end closes it anyway) and reports the first place a strict
 * reading fails, plus the quote still open at the end, if any.
 */
export function scanRecord(s: string, delimiter: string): ScanResult {
  const n = s.length;
  let problem: QuoteProblem | undefined;
  let field = 0;
  let i = 0;
  for (;;) {
    if (i < n && s.charCodeAt(i) === QUOTE) {
      const open = i;
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q === -1) return { problem, openQuote: open, openField: field };
        if (s.charCodeAt(q + 1) === QUOTE) {
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i >= n) return { problem, openQuote: -1, openField: -1 };
      if (s.startsWith(delimiter, i)) {
        i += delimiter.length;
        field++;
        continue;
      }
      problem ??= { kind: 'after-closing-quote', offset: i, field, found: s[i] ?? '', openedAt: open };
    }
    // Unquoted (or the relaxed rest of a field closed too early): runs to the next delimiter.
    const d = s.indexOf(delimiter, i);
    const end = d === -1 ? n : d;
    if (problem === undefined) {
      const q = s.indexOf('"', i);
      if (q !== -1 && q < end) problem = { kind: 'bare-quote', offset: q, field };
    }
    if (d === -1) return { problem, openQuote: -1, openField: -1 };
    i = d + delimiter.length;
    field++;
  }
}

/** At most `max` characters, for error messages and the raw text of a record that never ended. */
export function clip(s: string, max = 200): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/**
 * Why a well-formed record is still no data, or undefined: it holds a NUL byte (`nulSeen` says the
 * input has one at all, so the common case costs nothing), or it repeats the header, as the second
 * header of two files joined with cat does (after a byte-order mark, if that file had one).
 */
export function refusedRecord(fields: string[], raw: string, header: string[], line: number, nulSeen: boolean): string | undefined {
  if (nulSeen && raw.includes('\u0000')) {
    return `line ${line}: holds a NUL byte, which no text export holds: binary data, or text that is not UTF-8 (UTF-16 without a byte-order mark? --encoding utf-16le)`;
  }
  const first = fields[0];
  if (first === undefined || fields.length !== header.length) return undefined;
  if (first.trim() !== header[0] && first.replace(/^\uFEFF/, '').trim() !== header[0]) return undefined;
  for (let i = 1; i < fields.length; i++) if ((fields[i] as string).trim() !== header[i]) return undefined;
  return `line ${line} repeats the header: were two files joined into one? It is not a record`;
}

/** A field as messages name it: `field 2 ("name")`, or `field 2` before the header is known. */
export function fieldName(index: number, header: string[] | undefined): string {
  const name = header?.[index];
  return name === undefined ? `field ${index + 1}` : `field ${index + 1} ("${name}")`;
}

/** What a quote problem found by scanRecord says, with the line it is on. */
export function quoteMessage(p: QuoteProblem, body: string, line: number, header: string[] | undefined): string {
  const at = line + countBreaks(body, p.offset);
  const field = fieldName(p.field, header);
  if (p.kind === 'bare-quote') {
    return `line ${at}: bare quote in unquoted ${field}; a value holding quotes must be quoted as a whole, with each inner quote doubled ("")`;
  }
  const opened = line + countBreaks(body, p.openedAt ?? 0);
  const from = opened === at ? '' : `, whose quote opened at line ${opened}`;
  return `line ${at}: unexpected ${JSON.stringify(p.found)} after the closing quote of ${field}${from}; a quote inside a quoted value must be doubled ("")`;
}
