/**
 * Input must be UTF-8 once decoded (decode.ts turns UTF-16 with a byte-order mark and the encoding named
 * by --encoding into UTF-8). Decoding would replace a byte that is not (a Windows-1252 "é") with U+FFFD
 * and send the damaged text as if it were the data, so the readers check every chunk first: the read
 * stops at the first invalid byte with an InputError naming its line, its byte offset and the
 * --encoding to give (exit 2).
 *
 * The check is `buffer.isUtf8` (native) per chunk; a character cut between two chunks is carried over,
 * and line breaks are counted as the chunks pass, so that the line of a bad byte is known even on stdin.
 */
import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import { InputError } from '../errors.js';

const LF = 10;
const CR = 13;

/** How a reader counts lines: NDJSON by LF; CSV by CRLF, LF and a lone CR alike. */
export type LineBreaks = 'lf' | 'any';

export class Utf8Check {
  /** Bytes checked and passed on (the carried bytes of a cut character are not among them). */
  private offset = 0;
  /** Line breaks in those bytes. */
  private breaks = 0;
  /** The first bytes of a character whose rest is in the next chunk. */
  private carry: Buffer | undefined;
  /** The last byte passed on was a CR (it counts as a break unless an LF follows). */
  private lastCR = false;
  /** A NUL byte was passed on: valid UTF-8, but no text export holds one (binary data, UTF-16). */
  sawNul = false;

  constructor(
    private readonly label: string,
    private readonly lineBreaks: LineBreaks,
    /** What the message says became of the input (a check of a whole file before the run: nothing was sent). */
    private readonly outcome = 'Reading stopped there: the rows before it were read; nothing after it was.',
  ) {}

  /**
   * Check the next chunk. Returns the bytes to pass on (the chunk, with a carried character's start in
   * front and a cut character's start held back), or throws Utf8Error carrying the valid bytes before
   * the first invalid one.
   */
  next(chunk: Buffer): Buffer {
    const data = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.offset === 0) this.refuseUtf16(data);
    const keep = data.length - cutCharacter(data);
    const body = keep === data.length ? data : data.subarray(0, keep);
    this.carry = keep === data.length ? undefined : Buffer.from(data.subarray(keep));
    if (!isUtf8(body)) {
      const at = firstInvalid(body);
      const valid = body.subarray(0, at);
      throw new Utf8Error(this.problem(body, at), valid);
    }
    this.count(body, body.length);
    this.offset += body.length;
    if (!this.sawNul && body.indexOf(0) !== -1) this.sawNul = true;
    return body;
  }

  /**
   * UTF-16 without a byte-order mark is valid UTF-8 as long as it is ASCII: a NUL byte beside each
   * character. Its first two bytes tell it (no text export starts with a NUL), and the byte order: the
   * input is refused whole, naming the --encoding that reads it, before any parser sees NULs.
   */
  private refuseUtf16(b: Buffer): void {
    if (b.length < 2) return;
    const [b0, b1] = [b[0] as number, b[1] as number];
    const encoding = b1 === 0 && b0 !== 0 && b0 < 0x80 ? 'utf-16le' : b0 === 0 && b1 !== 0 && b1 < 0x80 ? 'utf-16be' : undefined;
    if (!encoding) return;
    throw new Utf8Error(
      `${this.label} is not UTF-8 text: it starts with NUL bytes between its characters, as UTF-16 text without a byte-order mark does. ` +
        `${this.outcome} Name the encoding it was saved in: --encoding ${encoding}`,
      Buffer.alloc(0),
    );
  }

  /** The input ended: a character cut at the very end is an error too. */
  end(): void {
    if (this.carry) {
      const carried = this.carry;
      this.carry = undefined;
      throw new Utf8Error(this.problem(carried, 0, true), Buffer.alloc(0));
    }
  }

  /** Count the line breaks in b[0, end); a CR at end - 1 is decided by b[end], or by the next chunk. */
  private count(b: Buffer, end: number): void {
    for (let i = b.indexOf(LF); i !== -1 && i < end; i = b.indexOf(LF, i + 1)) this.breaks++;
    if (this.lineBreaks === 'lf' || end === 0) return;
    // A lone CR is a break too; a CR ending the previous chunk counts unless this one starts with LF.
    if (this.lastCR && b[0] !== LF) this.breaks++;
    for (let i = b.indexOf(CR); i !== -1 && i < end - 1; i = b.indexOf(CR, i + 1)) if (b[i + 1] !== LF) this.breaks++;
    this.lastCR = b[end - 1] === CR;
    if (this.lastCR && end < b.length && b[end] !== LF) {
      this.breaks++;
      this.lastCR = false;
    }
  }

  private problem(b: Buffer, at: number, truncated = false): string {
    this.count(b, at);
    // A CR just before the bad byte, at the end of the previous chunk, is a lone CR: a break.
    const line = this.breaks + (at === 0 && this.lastCR ? 1 : 0) + 1;
    const offset = this.offset + at;
    const first = b[at] as number;
    const hex = `0x${first.toString(16).toUpperCase().padStart(2, '0')}`;
    let what: string;
    if (offset === 0 && ((first === 0xff && b[1] === 0xfe) || (first === 0xfe && b[1] === 0xff))) {
      what = 'it starts with a UTF-16 byte-order mark: it is UTF-16 text, not UTF-8';
    } else if (truncated) {
      what = `it ends in the middle of a character (byte offset ${offset}, line ${line})`;
    } else {
      what = `line ${line}, byte offset ${offset}: ${hex} is not valid UTF-8 there`;
    }
    return (
      `${this.label} is not UTF-8 text: ${what}. ${this.outcome} ` +
      'Name the encoding it was saved in: --encoding windows-1252 for a file saved by Excel on Windows ' +
      '(or latin1, iso-8859-15, utf-16le, ...; a sync takes "encoding")'
    );
  }
}

/** The read stops: `valid` holds the checked bytes of the chunk before the first invalid one. */
export class Utf8Error extends InputError {
  constructor(
    message: string,
    readonly valid: Buffer,
  ) {
    super('INPUT_UNREADABLE', message);
  }
}

/** How many bytes at the end of `b` start a character that the next chunk completes (0 to 3). */
export function cutCharacter(b: Buffer): number {
  const n = b.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const c = b[n - k] as number;
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    if (c < 0xc2 || c > 0xf4) return 0; // ASCII, or no lead byte at all (the check refuses that one)
    const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
    return need > k ? k : 0;
  }
  return 0;
}

/** Index of the first byte of the first invalid sequence in `b` (`b` is known to hold one). */
function firstInvalid(b: Buffer): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
    if (need === 0 || i + need >= n) return i;
    const c1 = b[i + 1] as number;
    // Overlong forms, UTF-16 surrogates and code points above U+10FFFF are refused at their second byte.
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 > 0x9f) || (c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 > 0x8f)) return i;
    for (let k = 1; k <= need; k++) if (((b[i + k] as number) & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return n;
}

const LOOKAHEAD = Buffer.alloc(4, 0);

/**
 * A pass-through stream that checks the bytes on their way to a parser. At an invalid byte it passes on
 * the valid bytes before it, tells `onStop`, and then holds everything back for good: the parser never
 * sees the end of its input, so it emits no half record. Text chunks (a stream already decoded) pass as they are.
 */
export function utf8Checked(check: Utf8Check, onStop: (err: Utf8Error) => void): Transform {
  const stop = (err: unknown, t: Transform): boolean => {
    if (!(err instanceof Utf8Error)) return false;
    if (err.valid.length > 0) t.push(err.valid);
    // A parser holds the last bytes it was given until it sees what follows (a record delimiter may be
    // two bytes long). Bytes that are no delimiter and no quote let it finish the records before the
    // invalid byte; the half record they join is never emitted, as the parser never sees an end.
    t.push(LOOKAHEAD);
    onStop(err);
    return true;
  };
  return new Transform({
    transform(chunk: Buffer | string, _encoding, callback) {
      if (typeof chunk === 'string') return callback(null, chunk);
      let out: Buffer;
      try {
        out = check.next(chunk);
      } catch (err) {
        if (stop(err, this)) return; // no callback: nothing more flows
        return callback(err as Error);
      }
      callback(null, out);
    },
    flush(callback) {
      try {
        check.end();
      } catch (err) {
        if (stop(err, this)) return;
        return callback(err as Error);
      }
      callback();
    },
  });
}
