/**
 * Typing a column from sampled values (for `init`, when Vitally's catalogue does not type it). A type is
 * proposed only when every non-empty sampled value has it; anything mixed stays text.
 */
import type { ValueType } from '../mapping/coerce.js';

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
const LEADING_ZERO = /^[+-]?0\d/;
const BOOL_WORDS = new Set(['true', 'false', 'yes', 'no', 't', 'f', 'y', 'n']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

function kindOf(v: unknown): Kind {
  if (v === undefined || v === null) return 'empty';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : 'text';
  if (typeof v === 'object') return 'json';
  const s = String(v).trim();
  if (s === '') return 'empty';
  if (BOOL_WORDS.has(s.toLowerCase())) return 'boolean';
  // 02134 is a code (a zip, an id), not the number 2134.
  if (NUMBER.test(s)) return LEADING_ZERO.test(s) ? 'text' : 'number';
  if (DATE.test(s) && !Number.isNaN(Date.parse(s))) return 'date';
  if (DATETIME.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T')))) return 'datetime';
  if ((s.startsWith('{') && s.endsWith('}')) || (s.startsWith('[') && s.endsWith(']'))) {
    try {
      JSON.parse(s);
      return 'json';
    } catch {
      return 'text';
    }
  }
  return 'text';
}

const WORDS: Record<Exclude<Kind, 'empty'>, string> = {
  boolean: 'true/false values',
  number: 'numbers',
  date: 'dates (YYYY-MM-DD)',
  datetime: 'date-times',
  json: 'JSON values',
  text: 'text',
};

export function inferType(values: unknown[]): Inferred {
  const kinds = values.map(kindOf);
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
