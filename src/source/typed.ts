/**
 * Values of the typed readers (Parquet, Postgres) as JSON values, with one policy for both:
 * - an integer beyond JavaScript's safe range (±2^53−1) becomes its exact digits as text, never rounded;
 * - a decimal becomes a number when the number prints back as the same decimal, else its exact text;
 * - an instant becomes ISO 8601 in UTC (`2024-05-01T12:00:00.000Z`, with micro- or nanoseconds when
 *   the source has them), a date `YYYY-MM-DD`;
 * - a value JSON cannot carry (NaN, an infinity, a date outside the years 1-9999, binary data) is an
 *   `Unrepresentable`: the reader fails that row alone, with the reason.
 */
import { RowError } from '../errors.js';
import { jsonValueProblem } from '../json-limits.js';
import type { SourceRecord } from '../types.js';

/** A value that cannot be sent as JSON; `shown` is how the rejects file shows it. */
export class Unrepresentable {
  constructor(
    readonly reason: string,
    readonly shown: string,
  ) {}
}

const cannot = (reason: string, shown: string) => new Unrepresentable(reason, shown);

/** A 64-bit integer: a number when it is safe, else its digits as text. */
export function int64Value(v: bigint): number | string {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v.toString();
}

/**
 * JSON text from the source (a json column): parsed, and refused when what it parses to cannot be
 * carried (a number beyond a double reads as Infinity; a value nested past MAX_JSON_DEPTH).
 */
export function jsonFromText(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  const problem = jsonValueProblem(value);
  return problem === null ? value : cannot(problem, text.length > 200 ? `${text.slice(0, 200)}...` : text);
}

/** A float: NaN and the infinities cannot be sent. */
export function floatValue(n: number): number | Unrepresentable {
  return Number.isFinite(n) ? n : cannot(`${n} is not a finite number, and JSON has no way to say it`, String(n));
}

/** `1.50`, `-0.0`, `1e3` -> sign, significant digits and exponent, so equal decimals compare equal as text. */
function canonical(text: string): string | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m || (m[2] === '' && !m[3])) return null;
  const fraction = m[3] ?? '';
  let digits = `${m[2]}${fraction}`.replace(/^0+/, '');
  if (digits === '') return '0';
  let exp = Number(m[4] ?? 0) - fraction.length;
  const kept = digits.replace(/0+$/, '');
  exp += digits.length - kept.length;
  digits = kept;
  return `${m[1] === '-' ? '-' : ''}${digits}e${exp}`;
}

/** An exact decimal (Postgres numeric, Parquet DECIMAL) as a number when that loses nothing, else its text. */
export function decimalValue(text: string): number | string | Unrepresentable {
  const n = Number(text);
  if (Number.isNaN(n) || /^[+-]?(infinity|inf)$/i.test(text.trim())) {
    return cannot(`${text} is not a finite number, and JSON has no way to say it`, text);
  }
  if (!Number.isFinite(n)) return text;
  const c = canonical(text);
  if (c === null) return text;
  if (c === '0') return 0;
  return c === canonical(String(n)) ? n : text;
}

/** An unscaled integer and a scale (Parquet DECIMAL) as decimal text: 12345, 2 -> "123.45". */
export function scaledText(unscaled: bigint, scale: number): string {
  if (scale <= 0) return (unscaled * 10n ** BigInt(-scale)).toString();
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** A big-endian two's-complement integer (Parquet DECIMAL as bytes). */
export function signedBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  if (bytes.length > 0 && bytes[0]! & 0x80) v -= 1n << BigInt(bytes.length * 8);
  return v;
}

/**
 * An instant as ISO 8601 in UTC: whole seconds since the epoch and the digits of the fraction of a
 * second as the source had them. At least milliseconds are written (as Date.toISOString does); finer
 * digits only when they are not zero.
 */
export function isoInstant(epochSeconds: number, fraction: string): string | Unrepresentable {
  const date = new Date(epochSeconds * 1000);
  const year = date.getUTCFullYear();
  const text = `${epochSeconds} s after 1970`;
  if (!Number.isFinite(epochSeconds) || Number.isNaN(year) || year < 1 || year > 9999) {
    return cannot('a time outside the years 1-9999 cannot be written as an ISO 8601 date-time', text);
  }
  let digits = fraction.padEnd(3, '0');
  while (digits.length > 3 && digits.endsWith('0')) digits = digits.slice(0, -1);
  return `${date.toISOString().slice(0, 19)}.${digits}Z`;
}

const UNIT_DIGITS = { ms: 3, us: 6, ns: 9 } as const;

/** A count of milli-, micro- or nanoseconds since the epoch (Parquet TIMESTAMP) as ISO 8601. */
export function isoFromEpoch(value: bigint, unit: keyof typeof UNIT_DIGITS): string | Unrepresentable {
  const digits = UNIT_DIGITS[unit];
  const per = 10n ** BigInt(digits);
  let seconds = value / per;
  let rest = value % per;
  if (rest < 0n) {
    rest += per;
    seconds -= 1n;
  }
  if (seconds > 253402300799n || seconds < -62135596800n) {
    return cannot('a time outside the years 1-9999 cannot be written as an ISO 8601 date-time', `${value} ${unit} after 1970`);
  }
  return isoInstant(Number(seconds), rest.toString().padStart(digits, '0'));
}

/** Days since the epoch (Parquet DATE) as `YYYY-MM-DD`. */
export function dateFromDays(days: number): string | Unrepresentable {
  const iso = isoInstant(days * 86400, '');
  if (iso instanceof Unrepresentable) return cannot('a date outside the years 1-9999 cannot be written as an ISO 8601 date', `${days} days after 1970`);
  return iso.slice(0, 10);
}

/** A time of day from a count since midnight (Parquet TIME) as `HH:MM:SS.fff`. */
export function timeOfDay(value: bigint, unit: keyof typeof UNIT_DIGITS): string {
  const digits = UNIT_DIGITS[unit];
  const per = 10n ** BigInt(digits);
  const s = Number(value / per);
  const hms = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return `${hms}.${(value % per).toString().padStart(digits, '0')}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes without a text annotation: read as UTF-8 text when they are valid UTF-8, else unrepresentable. */
export function bytesValue(bytes: Uint8Array): string | Unrepresentable {
  try {
    return utf8.decode(bytes);
  } catch {
    const hex = Buffer.from(bytes.subarray(0, 32)).toString('hex');
    return cannot(`binary data (${bytes.length} bytes, not UTF-8 text) cannot be sent`, `\\x${hex}${bytes.length > 32 ? '...' : ''}`);
  }
}

/** Sets a field of a record; `__proto__` as a field of its own (assigned, it would set the prototype and vanish), which the mapper refuses by name. */
export function setField(data: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__') Object.defineProperty(data, name, { value, enumerable: true, writable: true, configurable: true });
  else data[name] = value;
}

/**
 * One record of a typed reader: its data, or (when a column holds a value JSON cannot carry) a row error
 * naming the column, with the row as JSON text for the rejects file. A value of `undefined` is a null:
 * the mapper treats it as an empty cell (left out, or null with --empty null).
 */
export function typedRecord(row: number, line: number, data: Record<string, unknown>): SourceRecord {
  for (const column in data) {
    const v = data[column];
    if (v instanceof Unrepresentable) {
      const raw = JSON.stringify(data, (_k, x: unknown) => (x instanceof Unrepresentable ? x.shown : typeof x === 'bigint' ? x.toString() : x));
      return { row, line, error: new RowError('ROW_INVALID', `column "${column}": ${v.reason}`, column), raw };
    }
  }
  return { row, line, data };
}
