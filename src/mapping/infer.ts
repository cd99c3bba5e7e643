/**
 * Typing a column from sampled values. Two users, one policy each:
 * - `init` proposes a mapping from a sample, which a person reviews (`propose`): lenient (yes/no are
 *   booleans, `1e3` is a number, JSON text is JSON; more than 15 digits, which a number would round, text);
 * - `push` types a trait column Vitally does not type, from the first rows it reads (`push`, the default
 *   `--types auto`): strict, since nobody reviews it. Integers and decimals without leading zeros and
 *   of at most 15 digits, `true`/`false`, ISO 8601 dates and date-times; never a zip code or an id with
 *   leading zeros (`02134`), a long id that a number would round, or JSON text.
 * Under both, numbers and dates written as the run says (--decimal-comma, --date-format) count too.
 * A type is given only when every non-empty sampled value has it; anything mixed stays text. Values
 * already typed (an NDJSON number) count as what they are.
 */
import { convert, parseInstant, type CellFormat, type Converted, type ValueType } from './coerce.js';
import { localDate, localNumber } from './locale.js';

export type InferPolicy = 'propose' | 'push';

export interface Inferred {
  /** undefined: text, sent as read. */
  type: ValueType | undefined;
  /** Non-empty values sampled. */
  filled: number;
  /** Rows sampled. */
  rows: number;
  /** In words, for the proposal: "numbers in all 5 sampled rows". */
  why: string;
}

type Kind = 'empty' | 'boolean' | 'number' | 'date' | 'datetime' | 'json' | 'text';

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** push: an integer or a decimal as people write them: no sign but minus, no exponent, no leading zero. */
const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?$/;
const LEADING_ZERO = /^[+-]?0\d/;
const BOOL_WORDS = new Set(['true', 'false', 'yes', 'no', 't', 'f', 'y', 'n']);
const TRUE_FALSE = new Set(['true', 'false']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** More digits than a double holds exactly: an id, not a quantity. */
const MAX_DIGITS = 15;

/** The digits of a number as written, less leading zeros and the exponent: `-0012.50e3` -> 4. */
const significantDigits = (s: string): number =>
  s
    .replace(/[eE].*$/, '')
    .replace(/\D/g, '')
    .replace(/^0+/, '').length;

function kindOf(v: unknown, policy: InferPolicy, cells?: CellFormat): Kind {
  if (v === undefined || v === null) return 'empty';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : 'text';
  if (typeof v === 'object') return policy === 'push' ? 'text' : 'json';
  const s = String(v).trim();
  if (s === '') return 'empty';
  if ((policy === 'push' ? TRUE_FALSE : BOOL_WORDS).has(s.toLowerCase())) return 'boolean';
  const local = localKind(s, cells);
  if (local) return local;
  if (policy === 'push') {
    if (PLAIN_NUMBER.test(s)) return s.replace(/[-.]/g, '').length <= MAX_DIGITS ? 'number' : 'text';
  } else if (NUMBER.test(s)) {
    // 02134 is a code (a zip, an id), not the number 2134; 9007199254740993 a number would round.
    return LEADING_ZERO.test(s) || significantDigits(s) > MAX_DIGITS ? 'text' : 'number';
  }
  // A date the calendar does not have (2026-02-30) is text, as the conversion would refuse it.
  if (DATE.test(s) && parseInstant(s) !== null) return 'date';
  if (DATETIME.test(s) && parseInstant(s) !== null) return 'datetime';
  if (policy === 'propose' && ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']')))) {
    try {
      JSON.parse(s);
      return 'json';
    } catch {
      return 'text';
    }
  }
  return 'text';
}

/**
 * A number or a date written as the run says (--decimal-comma: `1.234,50`; --date-format: `31.12.2026`):
 * those are the column's numbers and dates, under both policies. Plain digits are left to the policy's
 * own rules (a leading zero is a code, more than 15 digits an id).
 */
function localKind(s: string, cells: CellFormat | undefined): Kind | undefined {
  if (cells?.decimalComma && !/^[+-]?\d+$/.test(s)) {
    const n = localNumber(s, cells);
    if (n) return 'value' in n ? 'number' : 'text';
  }
  if (cells?.dateFormat && localDate(s, cells.dateFormat)) return cells.dateFormat.parts.H === undefined ? 'date' : 'datetime';
  return undefined;
}

const WORDS: Record<Exclude<Kind, 'empty'>, string> = {
  boolean: 'true/false values',
  number: 'numbers',
  date: 'dates',
  datetime: 'date-times',
  json: 'JSON values',
  text: 'text',
};

export function inferType(values: unknown[], policy: InferPolicy = 'propose', cells?: CellFormat): Inferred {
  const kinds = values.map((v) => kindOf(v, policy, cells));
  const filled = kinds.filter((k) => k !== 'empty');
  const rows = values.length;
  const of = (n: number) =>
    n === rows ? (rows === 1 ? 'the one sampled row' : `all ${rows} sampled rows`) : `${n} of ${rows} sampled rows (the others empty)`;
  if (filled.length === 0) return { type: undefined, filled: 0, rows, why: `empty in ${of(rows).replace(' (the others empty)', '')}` };
  let set = new Set(filled);
  // Dates and date-times together are date-times.
  if (set.size === 2 && set.has('date') && set.has('datetime')) set = new Set(['datetime']);
  if (set.size > 1) {
    const seen = [...set].map((k) => WORDS[k as Exclude<Kind, 'empty'>]).join(', ');
    return { type: undefined, filled: filled.length, rows, why: `mixed values (${seen}): kept as text` };
  }
  const kind = [...set][0] as Exclude<Kind, 'empty'>;
  const type: ValueType | undefined = kind === 'text' ? undefined : kind;
  return { type, filled: filled.length, rows, why: `${WORDS[kind]} in ${of(filled.length)}` };
}

/**
 * Convert a cell of a column `push` typed from its sample: the cell must be of that kind by the same
 * strict rules (a date fits a date-time column), else its row fails, as with `--map`.
 */
export function convertInferred(value: unknown, type: ValueType, cells?: CellFormat): Converted {
  const kind = kindOf(value, 'push', cells);
  if (kind !== type && !(type === 'datetime' && kind === 'date')) {
    const shown = String(JSON.stringify(value));
    return { ok: false, reason: `${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} is not ${A_VALUE[type] ?? type}` };
  }
  // How the input writes numbers and dates holds here too: a ;-separated file's 12.000 is refused unless said.
  return convert(value, type, ';', cells);
}

const A_VALUE: Partial<Record<ValueType, string>> = {
  number: 'a number',
  boolean: 'true or false',
  date: 'an ISO 8601 date',
  datetime: 'an ISO 8601 date-time',
};

/** Column types read from a sample of the input's first rows. */
export interface InferredTypes {
  /** By column: the type its sampled values share, or undefined (text: sent as read). */
  types: ReadonlyMap<string, ValueType | undefined>;
  /** Rows sampled. */
  rows: number;
}

/** Where a trait's type came from: --map (or a sync's types), Vitally's catalogue, its values, or nowhere. */
export type TypeSource = 'map' | 'vitally' | 'inferred' | 'as-read';

/** The type a trait is sent with, as the summary lists it. */
export interface TraitType {
  column: string;
  trait: string;
  /** number, boolean, date, datetime, string, json, a catalogue type (picklist...), or "as read". */
  type: string;
  from: TypeSource;
}
