/**
 * Vitally's trait types -> how `push --types vitally` converts a cell. Vitally's type names are matched
 * loosely (case, spaces, '_' and '-' ignored), since its docs show several spellings; a type this table
 * does not know is sent as read, and `fields` says so.
 */
import { convert, type Converted } from '../mapping/coerce.js';
import type { TraitConverter } from '../mapping/mapper.js';
import type { TraitField } from './catalogue.js';

export type TraitKind = 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'picklist' | 'multi' | 'unknown';

const KINDS: Record<string, TraitKind> = {};
const add = (kind: TraitKind, names: string[]) => names.forEach((n) => (KINDS[n] = kind));
add('string', ['string', 'text', 'textarea', 'longtext', 'richtext', 'html', 'email', 'url', 'link', 'phone']);
add('number', ['number', 'numeric', 'integer', 'int', 'float', 'double', 'decimal', 'currency', 'money', 'percent', 'percentage']);
add('boolean', ['boolean', 'bool', 'checkbox', 'toggle']);
add('date', ['date']);
add('datetime', ['datetime', 'timestamp']);
add('picklist', ['picklist', 'select', 'singleselect', 'dropdown', 'enum', 'option', 'options', 'choice']);
add('multi', ['multipicklist', 'multiselect', 'multivalue', 'multi', 'multiplepicklist', 'array', 'list', 'stringarray', 'tags', 'multichoice']);

export function kindOf(vitallyType: string): TraitKind {
  return KINDS[vitallyType.toLowerCase().replace(/[\s_-]+/g, '')] ?? 'unknown';
}

/** What a cell of this trait becomes, in words (for `fields` and `init`). */
export function conversionText(f: Pick<TraitField, 'type' | 'options'>): string {
  switch (kindOf(f.type)) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'boolean':
      return 'true/false';
    case 'date':
      return 'date (YYYY-MM-DD)';
    case 'datetime':
      return 'date-time (ISO 8601, UTC)';
    case 'picklist':
      return f.options?.length ? 'one of its options' : 'text';
    case 'multi':
      return f.options?.length ? 'a list of its options' : 'a list of text';
    case 'unknown':
      return 'as read (type not known to vitally-sync)';
  }
}

const show = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function listOptions(options: string[]): string {
  const shown = options.slice(0, 10).join(', ');
  return options.length > 10 ? `${shown}, ... (${options.length} in all)` : shown;
}

/** Match a value to an option: exactly, else ignoring case and surrounding spaces (sent in the option's spelling). */
function pick(value: string, options: string[]): string | undefined {
  if (options.includes(value)) return value;
  const v = value.trim().toLowerCase();
  return options.find((o) => o.trim().toLowerCase() === v);
}

/** The converter of a known trait, or undefined when its cells are sent as read. */
export function converterFor(f: Pick<TraitField, 'type' | 'options'>): TraitConverter | undefined {
  const kind = kindOf(f.type);
  const options = f.options ?? [];
  const typeName = f.type;
  switch (kind) {
    case 'unknown':
      return undefined;
    case 'string':
    case 'number':
    case 'boolean':
    case 'date':
    case 'datetime':
      return { typeName, convert: (value, _sep, cells) => convert(value, kind, ';', cells) };
    case 'picklist':
      return {
        typeName,
        convert(value): Converted {
          const c = convert(value, 'string');
          if (!c.ok || options.length === 0) return c;
          const found = pick(c.value as string, options);
          return found !== undefined ? { ok: true, value: found } : { ok: false, reason: `${show(value)} is not one of its options (${listOptions(options)})` };
        },
      };
    case 'multi':
      return {
        typeName,
        convert(value, sep): Converted {
          const c = convert(value, 'stringArray', sep);
          if (!c.ok || options.length === 0) return c;
          const out: string[] = [];
          for (const v of c.value as string[]) {
            const found = pick(v, options);
            if (found === undefined) return { ok: false, reason: `${show(v)} is not one of its options (${listOptions(options)})` };
            out.push(found);
          }
          return { ok: true, value: out };
        },
      };
  }
}
