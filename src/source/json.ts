/**
 * The JSON reader: a file holding one array of objects (`[{...}, {...}]`), as APIs and many tools export
 * them, read element by element with @streamparser/json (a streaming tokenizer and parser), so the
 * array is never in memory whole: one element at a time, and no element larger than `maxRecordBytes`.
 *
 * - Each element is a record: `row` its 1-based place in the array, `line` the line where it starts.
 * - An element that is no object, or holds a value JSON cannot carry (json-limits.ts), fails alone.
 * - Bytes that are not UTF-8 stop the read at their line (utf8.ts); JSON that breaks off or goes wrong
 *   mid-array ends the read with a fatal record after the elements before it, as an unclosed CSV quote
 *   does: the input was not read whole (so --delete-missing deletes nothing).
 * - A file that is not an array (one object, a number) is refused before any record.
 */
import { TokenParser, Tokenizer, TokenType, type ParsedTokenInfo } from '@streamparser/json';
import { InputError, RowError } from '../errors.js';
import { jsonValueProblem } from '../json-limits.js';
import type { SourceRecord } from '../types.js';
import { readFailure } from './input.js';
import type { NdjsonReadOptions } from './ndjson.js';
import { Utf8Check, Utf8Error } from './utf8.js';

/** What the JSON reader is given: the same as the NDJSON reader. */
export type JsonReadOptions = NdjsonReadOptions;

const LF = 10;

/** Why the read cannot go on (the JSON broke, or an element is too large): the fatal record's reason. */
class Broken extends Error {}

/** The reader's running state: where the input is, and the element being read. */
class JsonState {
  /** Bytes of the input before the current chunk (a UTF-8 byte-order mark left out). */
  base = 0;
  /** Line breaks counted up to `counted`, an offset in the input. */
  breaks = 0;
  counted = 0;
  chunk: Buffer = Buffer.alloc(0);
  /** Containers open around the next token: 1 inside the array. */
  depth = 0;
  started = false;
  ended = false;
  /** The element being read: its row, its first byte, its line. */
  row = 0;
  start = -1;
  line = 0;
  records: SourceRecord[] = [];

  /** The line of a byte of the current chunk (or of an earlier one: then the last line counted). */
  lineAt(offset: number): number {
    const end = offset - this.base;
    for (let i = this.chunk.indexOf(LF, this.counted - this.base); i !== -1 && i < end; i = this.chunk.indexOf(LF, i + 1)) this.breaks++;
    this.counted = Math.max(this.counted, offset);
    return this.breaks + 1;
  }

  /** The chunk was taken in whole: count the rest of its line breaks. */
  done(): void {
    this.lineAt(this.base + this.chunk.length);
    this.base += this.chunk.length;
  }
}

export async function* readJsonBatches(o: JsonReadOptions): AsyncGenerator<SourceRecord[]> {
  if (o.signal?.aborted) return;
  const input = await o.open();
  const utf8 = new Utf8Check(o.label, 'lf');
  const st = new JsonState();
  const tokenizer = new Tokenizer();
  const parser = new TokenParser({ paths: ['$.*'], keepStack: false });
  tokenizer.onToken = (t) => onToken(t, st, parser, o);
  tokenizer.onError = (err) => {
    throw err;
  };
  parser.onError = (err) => {
    throw err;
  };
  parser.onValue = ({ value }) => {
    st.records.push(elementRecord(value, st));
    st.start = -1;
  };
  const onAbort = (): void => {
    (input as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let first = true;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (o.signal?.aborted) return;
      let bytes: Buffer;
      let stop: Utf8Error | undefined;
      try {
        bytes = utf8.next(chunk);
      } catch (err) {
        if (!(err instanceof Utf8Error)) throw err;
        stop = err;
        bytes = err.valid;
      }
      // A byte-order mark is no data: the offsets (and so the lines) count from after it.
      if (first && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      if (bytes.length > 0) first = false;
      const fatal = take(bytes, st, tokenizer, o);
      if (st.records.length > 0) yield st.records.splice(0);
      if (fatal) {
        yield [fatal];
        return;
      }
      if (stop) throw stop;
    }
    if (o.signal?.aborted) return;
    utf8.end();
    if (!st.started) throw new InputError('INPUT_EMPTY', `${o.label} is empty: no JSON array`);
    if (!st.ended) {
      const where = st.start >= 0 ? `in the element starting at line ${st.line}` : `after element ${st.row}`;
      yield [fatalRecord(st, `the file ends ${where}, before the array is closed (is it cut short?); the elements before it were read`, '')];
    }
  } catch (err) {
    if (o.signal?.aborted) return;
    throw readFailure(err, o.label);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/** Feed one chunk to the tokenizer; a fatal record when the read cannot go on. */
function take(bytes: Buffer, st: JsonState, tokenizer: Tokenizer, o: JsonReadOptions): SourceRecord | undefined {
  st.chunk = bytes;
  try {
    if (bytes.length > 0 && !st.ended) tokenizer.write(bytes);
    // An element still open past the limit is not kept growing in memory.
    if (st.start >= 0 && st.base + bytes.length - st.start > o.maxRecordBytes) throw tooLarge(st, o);
  } catch (err) {
    if (err instanceof InputError) throw err;
    // The tokenizer says where it stopped: `... at chunk position "5" (absolute position "105") ...`.
    const position = /absolute position "(\d+)"/.exec((err as Error).message)?.[1];
    const line = st.lineAt(position === undefined ? st.counted : Math.max(st.counted, Number(position)));
    // Its words without its inner state: `Unexpected "x"`.
    const reason = (err as Error).message.replace(/ at chunk position .*$/, '');
    const at = err instanceof Broken ? err.message : `line ${line}: not valid JSON (${reason}); reading stopped there: the elements before it were read`;
    return fatalRecord(st, at, bytes.subarray(0, 200).toString());
  }
  st.done();
  return undefined;
}

/** Track where tokens are; the array must come first, and each of its elements starts a record. */
function onToken(t: ParsedTokenInfo, st: JsonState, parser: TokenParser, o: JsonReadOptions): void {
  if (!st.started) {
    if (t.token !== TokenType.LEFT_BRACKET) {
      const found = t.token === TokenType.LEFT_BRACE ? 'an object' : `${JSON.stringify(t.value)}`;
      throw new InputError(
        'INPUT_UNREADABLE',
        `${o.label}: expected a JSON array of objects ([{...}, {...}]), found ${found} at its start. One object per line is NDJSON: --format ndjson`,
      );
    }
    st.started = true;
  } else if (st.ended) {
    throw new Broken(`line ${st.lineAt(t.offset)}: more JSON after the array's end; reading stopped there`);
  }
  if (st.depth === 1 && st.start < 0 && t.token !== TokenType.COMMA && t.token !== TokenType.RIGHT_BRACKET) {
    st.start = t.offset;
    st.line = st.lineAt(t.offset);
    st.row++;
  }
  if (t.token === TokenType.LEFT_BRACE || t.token === TokenType.LEFT_BRACKET) st.depth++;
  else if (t.token === TokenType.RIGHT_BRACE || t.token === TokenType.RIGHT_BRACKET) {
    st.depth--;
    // An element that closes past the limit fails the read as one still open would (see take()).
    if (st.depth === 1 && t.offset - st.start >= o.maxRecordBytes) throw tooLarge(st, o);
  }
  if (st.depth === 0) st.ended = true;
  parser.write(t);
}

const tooLarge = (st: JsonState, o: JsonReadOptions) =>
  new Broken(`the element starting at line ${st.line} is larger than ${o.maxRecordBytes} bytes; reading stopped there`);

/** One element of the array as a record: an object, else a failed row. */
function elementRecord(value: unknown, st: JsonState): SourceRecord {
  const where = `element ${st.row} (line ${st.line})`;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const found = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { row: st.row, line: st.line, error: new RowError('ROW_INVALID', `${where}: expected a JSON object, found ${found}`), raw: JSON.stringify(value) };
  }
  const problem = jsonValueProblem(value);
  if (problem !== null) return { row: st.row, line: st.line, error: new RowError('ROW_INVALID', `${where}: ${problem}`), raw: '' };
  return { row: st.row, line: st.line, data: value as Record<string, unknown> };
}

function fatalRecord(st: JsonState, message: string, raw: string): SourceRecord {
  return {
    row: st.row + (st.start >= 0 ? 0 : 1),
    line: st.start >= 0 ? st.line : st.breaks + 1,
    error: new RowError('JSON_MALFORMED', message),
    raw,
    fatal: true,
  };
}
