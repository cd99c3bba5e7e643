/**
 * Numbers and dates written the way a spreadsheet's locale writes them: a decimal comma (`1.234,50`,
 * `1 234,5`) and dates in a stated order (`31.12.2026`, `12/31/2026`). They are read only when the run
 * says how (--decimal-comma, --date-format): without it such a cell in a typed column fails its row
 * with the option to give, never read as another value (`1.234,50` is no number; `01.02.2026` could be
 * either of two days).
 */

/** How the input writes numbers and dates (the run's settings). */
export interface CellFormat {
  /** true: `1.234,50` is 1234.5; false: `1,234.50` and `1.5` are as JSON writes them; undefined: not said. */
  decimalComma?: boolean | undefined;
  /**
   * The decimal mark was not said and the input is a `;`-separated export, the list separator of the
   * locales that write a decimal comma (or a rejects file, whose records may come from one): `1.234`
   * could be 1234 as well as 1.234, and is refused.
   */
  commaLocale?: boolean | undefined;
  dateFormat?: DateFormat | undefined;
}

type Reading = { value: number } | { reason: string } | undefined;

/** Digits in groups of three after the first one to three, with `.` or a space (also no-break) between. */
const GROUPED = /^[+-]?\d{1,3}(?:[. \u00a0\u202f]\d{3})+(?:,\d+)?$/;
const COMMA_DECIMAL = /^[+-]?\d+,\d+$/;
const DOT_GROUPS = /^[+-]?\d{1,3}(?:\.\d{3})+$/;

/**
 * A number written with a decimal comma, or (without --decimal-comma) why a text that looks like one is
 * refused; undefined when the text is no such number (the plain conversion decides).
 */
export function localNumber(text: string, f: CellFormat | undefined): Reading {
  const s = text.trim();
  const q = JSON.stringify(text);
  if (f?.decimalComma) {
    if (GROUPED.test(s) || COMMA_DECIMAL.test(s) || /^[+-]?\d+$/.test(s)) return { value: Number(s.replace(/[. \u00a0\u202f]/g, '').replace(',', '.')) };
    if (/^[+-]?\d*\.\d+$/.test(s))
      return { reason: `${q} is not a number written with a decimal comma (--decimal-comma): "." separates thousands there (1.234,5)` };
    return undefined;
  }
  if (COMMA_DECIMAL.test(s) && /,\d{3}$/.test(s)) {
    return {
      reason: `${q} is not a number: its comma is a decimal comma (--decimal-comma reads it as ${Number(s.replace(',', '.'))}) or a thousands separator (take it out of the export)`,
    };
  }
  if (COMMA_DECIMAL.test(s) || (GROUPED.test(s) && s.includes(','))) {
    const n = Number(s.replace(/[. \u00a0\u202f]/g, '').replace(',', '.'));
    return { reason: `${q} is not a number here: it is written with a decimal comma (${n} with --decimal-comma)` };
  }
  if (/^[+-]?\d{1,3}(?:\.\d{3}){2,}$/.test(s))
    return { reason: `${q} is not a number: dots between groups of digits separate thousands (--decimal-comma reads it so)` };
  if (f?.decimalComma === undefined && f?.commaLocale && DOT_GROUPS.test(s)) {
    return {
      reason: `${q} could be ${s.replace(/\./g, '')} (a dot between thousands, as ";"-separated exports write) or ${Number(s)}: say which with --decimal-comma or --no-decimal-comma`,
    };
  }
  return undefined;
}

/** A --date-format, ready to read dates with. */
export interface DateFormat {
  text: string;
  re: RegExp;
  /** The group of each part in `re`. */
  parts: { y: number; m: number; d: number; H?: number; M?: number; S?: number };
}

const TOKENS: Record<string, { key: keyof DateFormat['parts']; re: string }> = {
  YYYY: { key: 'y', re: '(\\d{4})' },
  MM: { key: 'm', re: '(\\d{1,2})' },
  DD: { key: 'd', re: '(\\d{1,2})' },
  HH: { key: 'H', re: '(\\d{1,2})' },
  mm: { key: 'M', re: '(\\d{2})' },
  ss: { key: 'S', re: '(\\d{2})' },
};

/** Read a --date-format (`DD.MM.YYYY`, `MM/DD/YYYY HH:mm`); throws Error saying what is wrong. */
export function parseDateFormat(text: string): DateFormat {
  const parts: Partial<DateFormat['parts']> = {};
  let re = '^';
  let group = 0;
  for (let i = 0; i < text.length;) {
    const token = Object.keys(TOKENS).find((t) => text.startsWith(t, i));
    if (token) {
      const { key, re: part } = TOKENS[token]!;
      if (parts[key] !== undefined) throw new Error(`names ${token} twice`);
      parts[key] = ++group;
      re += part;
      i += token.length;
    } else {
      const c = text[i]!;
      if (/[A-Za-z0-9]/.test(c)) throw new Error(`has "${c}" where YYYY, MM, DD, HH, mm, ss or a separator go`);
      re += c === ' ' ? '\\s+' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  if (parts.y === undefined || parts.m === undefined || parts.d === undefined) throw new Error('needs YYYY, MM and DD (a two-digit year says no century)');
  if ((parts.H === undefined) !== (parts.M === undefined) || (parts.S !== undefined && parts.H === undefined))
    throw new Error('needs HH and mm together (ss after them)');
  return { text, re: new RegExp(`${re}$`), parts: parts as DateFormat['parts'] };
}

/** A date written in the --date-format, as an instant (UTC, as a date-time without a zone is read); null if not one. */
export function localDate(text: string, f: DateFormat): Date | null {
  const m = f.re.exec(text.trim());
  if (!m) return null;
  const n = (g: number | undefined) => (g === undefined ? 0 : Number(m[g]));
  const [y, mo, d, H, M, S] = [n(f.parts.y), n(f.parts.m), n(f.parts.d), n(f.parts.H), n(f.parts.M), n(f.parts.S)];
  const date = new Date(Date.UTC(y, mo - 1, d, H, M, S));
  // An impossible date (31.02.2026) is refused, not rolled over.
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || H > 23 || M > 59 || S > 59) return null;
  return date;
}

/** Why a text that is no ISO date looks like a date in a local order, with the --date-format to give; undefined if it does not. */
export function localDateHint(text: string): string | undefined {
  const m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const sep = m[2]!;
  const time = m[5] !== undefined ? ' HH:mm' : '';
  const [a, b] = [Number(m[1]), Number(m[3])];
  if (a > 12) return `it reads day first: --date-format DD${sep}MM${sep}YYYY${time}`;
  if (b > 12) return `it reads month first: --date-format MM${sep}DD${sep}YYYY${time}`;
  return `day or month first? Give the order: --date-format DD${sep}MM${sep}YYYY${time} or MM${sep}DD${sep}YYYY${time}`;
}
