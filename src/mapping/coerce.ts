/**
 * Conversion of cells to typed values. CSV cells are strings; NDJSON values keep their JSON types and
 * pass through when they already have the wanted type. Every conversion either succeeds or says why not.
 * Numbers and dates written the local way (a decimal comma, a day-first date) are read as `cells`
 * says (locale.ts), and refused with the option to give when it says nothing.
 */
import { jsonValueProblem } from '../json-limits.js';
import { localDate, localDateHint, localNumber, type CellFormat } from './locale.js';

export type ValueType = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'json' | 'stringArray';
export const VALUE_TYPES: readonly ValueType[] = ['string', 'number', 'boolean', 'date', 'datetime', 'json', 'stringArray'];

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };
export type { CellFormat } from './locale.js';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 't', 'yes', 'y', '1']);
const FALSE = new Set(['false', 'f', 'no', 'n', '0']);
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const EPOCH = /^\d{10}(\d{3})?$/;

const ok = (value: unknown): Converted => ({ ok: true, value });
const no = (reason: string): Converted => ({ ok: false, reason });

function show(value: unknown): string {
  const s = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** The instants a date may name: years 0000 to 9999, what ISO 8601's four-digit year can write. */
const FIRST_MS = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * Parse an ISO 8601 date or date-time, or epoch seconds/milliseconds, into a Date; null if not one, or
 * if it falls outside the years 0000 to 9999 (an epoch number such as 9e15 or 1e300 does).
 */
export function parseInstant(value: unknown): Date | null {
  if (typeof value === 'number') {
    const ms = value < 1e11 ? value * 1000 : value;
    return ms >= FIRST_MS && ms <= LAST_MS ? new Date(ms) : null;
  }
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (EPOCH.test(s)) return new Date(s.length === 10 ? Number(s) * 1000 : Number(s));
  const m = ISO.exec(s);
  if (!m) return null;
  const [, y, mo, d, h, mi, sec] = m;
  // Reject impossible calendar dates (2024-02-30) that Date would silently roll over.
  const probe = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (probe.getUTCFullYear() !== Number(y) || probe.getUTCMonth() !== Number(mo) - 1 || probe.getUTCDate() !== Number(d)) {
    return null;
  }
  if (h !== undefined && (Number(h) > 23 || Number(mi) > 59 || (sec !== undefined && Number(sec) > 59))) return null;
  // A date-time without a zone is taken as UTC (documented), never as the machine's local time.
  const zone = m[8] ? m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z';
  const text = h === undefined ? `${y}-${mo}-${d}T00:00:00Z` : `${s.slice(0, s.length - (m[8]?.length ?? 0)).replace(' ', 'T')}${zone}`;
  const date = new Date(text);
  const ms = date.getTime();
  return ms >= FIRST_MS && ms <= LAST_MS ? date : null;
}

export function convert(value: unknown, type: ValueType, listSeparator = ';', cells?: CellFormat): Converted {
  switch (type) {
    case 'string':
      if (typeof value === 'string') return ok(value);
      if (typeof value === 'number' || typeof value === 'boolean') return ok(String(value));
      return no(`expected text, found ${show(value)}`);
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : no(`${show(value)} is not a finite number`);
      const local = typeof value === 'string' ? localNumber(value, cells) : undefined;
      if (local) return 'reason' in local ? no(local.reason) : Number.isFinite(local.value) ? ok(local.value) : no(`${show(value)} is too large for a number`);
      if (typeof value === 'string' && NUMBER.test(value.trim())) {
        const n = Number(value.trim());
        // "1e309" is written like a number but is none a double can hold: JSON would send it as null.
        return Number.isFinite(n) ? ok(n) : no(`${show(value)} is too large for a number (JSON would send it as null)`);
      }
      return no(`${show(value)} is not a number`);
    }
    case 'boolean': {
      if (typeof value === 'boolean') return ok(value);
      const s = typeof value === 'string' ? value.trim().toLowerCase() : typeof value === 'number' ? String(value) : null;
      if (s !== null && TRUE.has(s)) return ok(true);
      if (s !== null && FALSE.has(s)) return ok(false);
      return no(`${show(value)} is not a boolean (use true/false, yes/no or 1/0)`);
    }
    case 'date':
    case 'datetime': {
      const format = cells?.dateFormat;
      const d = (format && typeof value === 'string' ? localDate(value, format) : null) ?? parseInstant(value);
      if (!d && format && typeof value === 'string') return no(`${show(value)} is not a date written ${format.text} (--date-format), nor ISO 8601`);
      const hint = !d && typeof value === 'string' ? localDateHint(value) : undefined;
      if (hint) return no(`${show(value)} is not an ISO 8601 date: ${hint}`);
      if (!d && typeof value === 'number')
        return no(`${show(value)} is out of range: as epoch seconds or milliseconds it is no date between the years 0000 and 9999`);
      if (!d) return no(`${show(value)} is not an ISO 8601 date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ) or epoch time`);
      const iso = d.toISOString();
      return ok(type === 'date' ? iso.slice(0, 10) : iso);
    }
    case 'json': {
      if (typeof value !== 'string') return ok(value);
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch (err) {
        return no(`${show(value)} is not valid JSON (${(err as Error).message})`);
      }
      const problem = jsonValueProblem(parsed);
      return problem === null ? ok(parsed) : no(`${show(value)} cannot be sent: ${problem}`);
    }
    case 'stringArray': {
      if (Array.isArray(value)) {
        const bad = value.find((v) => typeof v !== 'string' && typeof v !== 'number');
        if (bad !== undefined) return no(`list holds ${show(bad)}, expected text values`);
        return ok(value.map(String).filter((v) => v.trim() !== ''));
      }
      if (typeof value === 'number') return ok([String(value)]);
      if (typeof value !== 'string') return no(`expected a list, found ${show(value)}`);
      return ok(
        value
          .split(listSeparator)
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      );
    }
  }
}
