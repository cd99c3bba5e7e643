/**
 * Postgres column types as JSON values (text protocol), by the policy of `typed.ts`: booleans and
 * numbers stay what they are, int8 and numeric become numbers when that loses nothing, timestamps become
 * ISO 8601 in UTC with their microseconds, dates `YYYY-MM-DD`, json and jsonb JSON, arrays of these
 * arrays. NaN, infinities, dates outside the years 1-9999 and bytea fail their row. Every other type
 * (text, uuid, enums, time, interval, inet, money, ...) comes as Postgres prints it.
 */
import type { CustomTypesConfig } from 'pg';
import { Unrepresentable, decimalValue, floatValue, int64Value, isoInstant, jsonFromText } from './typed.js';

type Parser = (text: string) => unknown;

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

/** `2024-01-02 03:04:05.123456+01` (timestamptz) or without a zone (timestamp, taken as UTC). */
export function timestampValue(text: string): string | Unrepresentable {
  const m = TIMESTAMP.exec(text);
  if (!m) return new Unrepresentable(`${text} cannot be written as an ISO 8601 date-time`, text);
  const [, y, mo, d, h, mi, s, fraction = '', sign, oh = '0', om = '0', os = '0'] = m;
  const t = new Date(0);
  t.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  t.setUTCHours(Number(h), Number(mi), Number(s), 0);
  let seconds = t.getTime() / 1000;
  if (sign) seconds -= (sign === '-' ? -1 : 1) * (Number(oh) * 3600 + Number(om) * 60 + Number(os));
  return isoInstant(seconds, fraction);
}

const dateValue: Parser = (text) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && text >= '0001-01-01' ? text : new Unrepresentable(`${text} cannot be written as an ISO 8601 date`, text);

const bytea: Parser = (text) =>
  new Unrepresentable(
    "binary data (bytea) cannot be sent; encode it as text in the query, e.g. encode(col, 'base64')",
    text.length > 66 ? `${text.slice(0, 66)}...` : text,
  );

const SCALARS: Record<number, Parser> = {
  16: (t) => t === 't',
  17: bytea,
  20: (t) => int64Value(BigInt(t)),
  21: Number,
  23: Number,
  26: Number,
  700: (t) => floatValue(Number(t)),
  701: (t) => floatValue(Number(t)),
  1700: decimalValue,
  114: jsonFromText,
  3802: jsonFromText,
  1082: dateValue,
  1114: timestampValue,
  1184: timestampValue,
};

/** Array types and the scalar type of their elements. */
const ARRAYS: Record<number, number> = {
  1000: 16,
  1001: 17,
  1005: 21,
  1007: 23,
  1016: 20,
  1028: 26,
  1021: 700,
  1022: 701,
  1231: 1700,
  199: 114,
  3807: 3802,
  1182: 1082,
  1115: 1114,
  1185: 1184,
  1009: 25,
  1015: 1043,
  1014: 1042,
  2951: 2950,
};

/** The first Unrepresentable in a parsed array, if any. */
function firstBad(v: unknown): Unrepresentable | undefined {
  if (v instanceof Unrepresentable) return v;
  if (Array.isArray(v)) {
    for (const x of v) {
      const bad = firstBad(x);
      if (bad) return bad;
    }
  }
  return undefined;
}

/**
 * The parsers for one read. `parseArray` is pg's array-literal parser (from `pg.types`, passed in so this
 * module loads nothing of pg itself).
 */
export function postgresTypes(parseArray: (text: string, element: Parser) => unknown[]): CustomTypesConfig {
  const text: Parser = (t) => t;
  const arrayOf =
    (element: Parser): Parser =>
    (t) => {
      const parsed = parseArray(t, element);
      return firstBad(parsed) ?? parsed;
    };
  return {
    getTypeParser: ((oid: number) => {
      const scalar = SCALARS[oid];
      if (scalar) return scalar;
      const element = ARRAYS[oid];
      return element === undefined ? text : arrayOf(SCALARS[element] ?? text);
    }) as CustomTypesConfig['getTypeParser'],
  };
}
