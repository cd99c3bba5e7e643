/**
 * From the bytes of an input to the UTF-8 text a reader parses, whatever form the file came in:
 * - gzip (told by its leading bytes, whatever the name: `.csv.gz`, or gzip piped to stdin) is undone;
 * - text with a UTF-16 byte-order mark is UTF-16 (Excel's "Unicode text"); with a UTF-8 one, UTF-8;
 * - otherwise the encoding named by --encoding (a WHATWG label: windows-1252, latin1, utf-16le, ...),
 *   read through TextDecoder, else UTF-8, which the readers check byte by byte (utf8.ts): a file in a
 *   legacy encoding stops with its line and the --encoding to give, never as U+FFFD sent as data;
 * - a spreadsheet workbook (.xlsx, .xls) or another ZIP archive is refused, naming what is read; so is
 *   data compressed otherwise (bzip2, xz, zstd), naming the command that decompresses it.
 * Text in another encoding is turned into UTF-8 as it streams, one chunk at a time, so the readers, their
 * line numbers and their checks are the same for every input.
 * A one-byte-a-character encoding (windows-1252, latin1, ...) given for text that is UTF-8 would read
 * every accent as two characters (`Société` as `SociÃ©tÃ©`) without an error: the first chunk that holds
 * bytes above ASCII, all of them forming UTF-8 characters, stops the read instead (no text in such an
 * encoding reads so but by chance: `Ã©` in a name).
 */
import { isUtf8 } from 'node:buffer';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../errors.js';
import { cutCharacter } from './utf8.js';

/** Leading bytes of the forms told apart here. */
const GZIP = [0x1f, 0x8b];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** Compressions other than gzip, which no reader undoes: each with the command that does. */
const COMPRESSED: Array<{ name: string; magic: number[]; tool: string }> = [
  // "BZh", the block size, then the mark of a block (the digits of pi).
  { name: 'bzip2', magic: [0x42, 0x5a, 0x68, -1, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], tool: 'bzip2 -dc' },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], tool: 'xz -dc' },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd], tool: 'zstd -dc' },
];
const UTF16LE_BOM = [0xff, 0xfe];
const UTF16BE_BOM = [0xfe, 0xff];

/** `b` starts with `magic` (-1 there: any byte). */
const startsWith = (b: Buffer, magic: number[]): boolean => b.length >= magic.length && magic.every((x, i) => x === -1 || b[i] === x);

/** The bytes start as gzip data does. */
export const isGzip = (head: Buffer): boolean => startsWith(head, GZIP);

/** The encoding a label names, as TextDecoder knows it ("latin1" -> "windows-1252"), or undefined if none. */
export function encodingOf(label: string): string | undefined {
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return undefined;
  }
}

/** Why a file's leading bytes say it is no text export, or undefined. */
export function notText(head: Buffer): string | undefined {
  if (startsWith(head, ZIP)) return 'a ZIP archive: an Excel workbook (.xlsx), an OpenDocument sheet (.ods) or a .zip';
  if (startsWith(head, OLE)) return 'an Excel 97-2003 workbook (.xls)';
  return undefined;
}

/** What to do with a spreadsheet: said wherever one is met. */
export const SAVE_AS_CSV = 'save the sheet as CSV (in Excel: File > Save As > "CSV UTF-8 (Comma delimited)") and push that file';

export interface DecodeOptions {
  /** How messages name the input. */
  label: string;
  /** --encoding: the input's encoding when it has no byte-order mark (default UTF-8). */
  encoding?: string | undefined;
  /** What the run reads ("CSV, NDJSON, JSON or Parquet files"), for the message that refuses a workbook. */
  formats: string;
}

/**
 * The input as UTF-8 bytes (see the top of this file). Reads its first bytes to tell its form; errors
 * about the input as a whole (a workbook, damaged gzip data, bytes that are not text in the encoding)
 * are InputErrors, thrown here or raised by the stream returned.
 */
export async function decodeInput(input: Readable, o: DecodeOptions): Promise<Readable> {
  let { head, stream } = await firstBytes(input);
  if (isGzip(head)) ({ head, stream } = await firstBytes(gunzipped(stream, o.label)));
  const packed = COMPRESSED.find((c) => startsWith(head, c.magic));
  if (packed) {
    stream.destroy();
    const file = o.label === 'stdin' ? '<file>' : o.label;
    throw new InputError(
      'INPUT_UNREADABLE',
      `${o.label} is ${packed.name}-compressed: only gzip is read. Decompress it first (${packed.tool} ${file} | vitally-sync push - --format csv ...), or compress it with gzip`,
    );
  }
  const what = notText(head);
  if (what) {
    stream.destroy();
    throw new InputError('INPUT_UNREADABLE', `${o.label} is ${what}, not a text export: ${SAVE_AS_CSV}. vitally-sync reads ${o.formats}`);
  }
  const byBom = startsWith(head, UTF16LE_BOM) ? 'utf-16le' : startsWith(head, UTF16BE_BOM) ? 'utf-16be' : undefined;
  const utf8Bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const encoding = byBom ?? (utf8Bom ? 'utf-8' : o.encoding !== undefined ? (encodingOf(o.encoding) ?? o.encoding) : 'utf-8');
  return encoding === 'utf-8' ? stream : transcoded(stream, encoding, o.label);
}

/** Every form told by its leading bytes: the first bytes are read until none of them can still match. */
const MARKS = [GZIP, ZIP, OLE, ...COMPRESSED.map((c) => c.magic), UTF16LE_BOM, UTF16BE_BOM, [0xef, 0xbb, 0xbf]];

/** `b` is the start of a mark that needs more bytes than `b` has. */
const partOfMark = (b: Buffer): boolean => MARKS.some((m) => b.length < m.length && b.every((x, i) => m[i] === -1 || m[i] === x));

/**
 * The first bytes of the stream: the first chunk, and more only while they could still be the start of
 * a mark (a stdin that sends one byte at a time), so a reader is never kept waiting for bytes that tell
 * nothing.
 */
const firstBytes = (stream: Readable) => peek(stream, partOfMark);

/**
 * The bytes at the start of a stream, and the stream to read in its place, which gives them again:
 * chunks are taken while `more` says the bytes so far do not tell enough (and at least one), or until
 * the stream ends. `head` is empty for a stream of text (already decoded), which has no bytes to look at.
 */
export async function peek(stream: Readable, more: (head: Buffer) => boolean): Promise<{ head: Buffer; stream: Readable }> {
  const taken: Array<Buffer | string> = [];
  let head: Buffer = Buffer.alloc(0);
  while (taken.length === 0 || more(head)) {
    const chunk = stream.read() as Buffer | string | null;
    if (chunk !== null) {
      taken.push(chunk);
      if (typeof chunk === 'string') break;
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    await readable(stream);
  }
  if (typeof taken.at(-1) === 'string') head = Buffer.alloc(0);
  if (taken.length === 0) return { head, stream };
  // Put back what was taken; a stream that has ended takes nothing back: a new one gives it.
  if (stream.readableEnded) return { head, stream: Readable.from(taken, { objectMode: false }) };
  if (stream.destroyed) return { head, stream };
  for (let i = taken.length - 1; i >= 0; i--) stream.unshift(taken[i]!);
  return { head, stream };
}

/** Resolves when the stream has data or has ended; rejects with its error. */
function readable(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: unknown) => {
      stream.off('readable', ok);
      stream.off('end', ok);
      stream.off('close', ok);
      stream.off('error', fail);
      if (err === undefined) resolve();
      else reject(err as Error);
    };
    const ok = () => done();
    const fail = (err: unknown) => done(err);
    stream.once('readable', ok);
    stream.once('end', ok);
    stream.once('close', ok);
    stream.once('error', fail);
  });
}

/** The stream's gzip data, undone (members one after another, as `cat a.gz b.gz` makes, are read in turn). */
function gunzipped(stream: Readable, label: string): Readable {
  const gunzip = pipeline(stream, createGunzip(), () => {
    // Errors reach the reader through the stream returned.
  });
  return Readable.from(zlibErrors(gunzip, label), { objectMode: false });
}

/** The chunks of a gunzip stream; zlib's errors (damaged data) become the input's, other errors pass. */
async function* zlibErrors(gunzip: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  try {
    yield* gunzip;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!code?.startsWith('Z_')) throw err;
    throw new InputError('INPUT_UNREADABLE', `${label}: its gzip data is damaged (${(err as Error).message}); reading stopped there`);
  }
}

/** The encodings TextDecoder knows that give one character for every byte. */
const ONE_BYTE = /^(windows-12\d\d|windows-874|iso-8859-\d+|koi8-[ru]|ibm866|macintosh|x-mac-cyrillic)$/;

/**
 * Whether the bytes above ASCII in `bytes` are UTF-8: `{ utf8: <the first such character> }` when
 * every one is part of a UTF-8 character, `{ utf8: false }` when one is not, and `{ cut }` (the bytes
 * to look at again with the next chunk) when the only ones are a character the end cuts.
 */
export function utf8Probe(bytes: Buffer): { utf8: string | false } | { cut: Buffer } {
  const first = bytes.findIndex((b) => b >= 0x80);
  // Leave out a character the end cuts.
  const end = bytes.length - cutCharacter(bytes);
  if (end <= first) return { cut: bytes.subarray(first) };
  const body = bytes.subarray(0, end);
  return { utf8: isUtf8(body) ? [...body.subarray(first, first + 4).toString('utf8')][0]! : false };
}

/** Text in `encoding` turned into UTF-8 bytes, chunk by chunk (TextDecoder keeps a character cut between chunks). */
function transcoded(stream: Readable, encoding: string, label: string): Readable {
  const decoder = new TextDecoder(encoding, { fatal: true });
  let offset = 0;
  // Until a chunk with bytes above ASCII has been seen: whether such bytes are UTF-8 is still to tell.
  let told = !ONE_BYTE.test(encoding);
  // The start of a character the last chunk's end cut, looked at again with this one.
  let cut: Buffer | undefined;
  const bad = (err: unknown) =>
    new InputError('INPUT_UNREADABLE', `${label} is not valid ${encoding} text after byte ${offset} (${(err as Error).message}); reading stopped there`);
  const utf8 = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (!told && chunk.some((b) => b >= 0x80)) {
        const probe = utf8Probe(cut ? Buffer.concat([cut, chunk]) : chunk);
        cut = 'cut' in probe ? Buffer.from(probe.cut) : undefined;
        told = !cut;
        const c = 'utf8' in probe ? probe.utf8 : false;
        if (c !== false) {
          const misread = new TextDecoder(encoding).decode(Buffer.from(c, 'utf8'));
          return callback(
            new InputError(
              'INPUT_UNREADABLE',
              `${label} is UTF-8 text, not ${encoding}: its bytes above ASCII all form UTF-8 characters ("${c}", which ${encoding} would read as "${misread}"). Leave out --encoding ${encoding} (UTF-8 is read by default); nothing was read as ${encoding}`,
            ),
          );
        }
      }
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch (err) {
        return callback(bad(err));
      }
      offset += chunk.length;
      callback(null, Buffer.from(text, 'utf8'));
    },
    flush(callback) {
      try {
        const rest = decoder.decode();
        callback(null, rest === '' ? undefined : Buffer.from(rest, 'utf8'));
      } catch (err) {
        callback(bad(err));
      }
    },
  });
  return pipeline(stream, utf8, () => {
    // Errors reach the reader through the stream returned.
  });
}
