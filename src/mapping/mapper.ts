/**
 * The mapper: a flat record (CSV strings or NDJSON values) -> the object's standard fields plus `traits`.
 *
 * Column policy (documented in docs/mapping.md):
 * - an explicit --map / --mapping entry wins; --ignore drops a column;
 * - a column named like a standard field (case, spaces, '_', '-' and '.' ignored) fills that field;
 * - a column named like a reference (accountExternalId, ...) is kept aside to be resolved to Vitally ids;
 * - `traits.<key>` fills that trait; an NDJSON `traits` object is merged into the traits;
 * - every other column becomes a trait under its own name.
 * A trait's type is the explicit one, else (push --types auto or vitally) the one Vitally's catalogue
 * gives it (traitConverters: src/schema), else (--types auto) the one its column's first values show
 * (`inferred`: infer.ts), else none: sent as read. `traitTypes()` says which each trait got.
 * Empty cells ('' or only spaces) are left out; with `--empty null` they are sent as null (a null trait
 * removes it in Vitally; a nullable field such as organizationId is cleared). JSON null in NDJSON is an
 * explicit null and is always sent for traits and nullable fields.
 */
import { ConfigError, RowError } from '../errors.js';
import type { MappedRecord, ObjectSpec } from '../objects/define.js';
import { convert, type CellFormat, type ValueType } from './coerce.js';
import { convertInferred, type InferredTypes, type TraitType } from './infer.js';
import type { ColumnMapping } from './map-flags.js';
import { normalizeName } from './names.js';
import { bothFill, namedTarget, PROTO, protoReason, type Target, type TraitConverter } from './targets.js';

// What reads --map and --mapping lives beside it; what says a trait's type, in infer.ts.
export { parseMapFlag, parseMappingFile, parseTarget, type ColumnMapping } from './map-flags.js';
export type { InferredTypes, TraitType, TypeSource } from './infer.js';

export type EmptyPolicy = 'omit' | 'null';

export interface MapperOptions {
  map?: ColumnMapping[];
  ignore?: string[];
  empty?: EmptyPolicy;
  listSeparator?: string;
  /**
   * Conversions of known traits (Vitally's catalogue: a number, a picklist checked against its options, a
   * multi-value list): used when no explicit type is given.
   */
  traitConverters?: Map<string, TraitConverter>;
  /** Types of trait columns read from their first values (--types auto), used when nothing else types them. */
  inferred?: InferredTypes;
  /**
   * Told of every trait key a column fills (once per column) and of each key of an NDJSON `traits`
   * object: the catalogue check. It may throw ConfigError (--strict-traits).
   */
  onTraitKey?: (key: string, column: string) => void;
  /** How the input writes numbers and dates (--decimal-comma, --date-format). */
  cells?: CellFormat | undefined;
}

export interface Mapped {
  record: MappedRecord;
  /** Reference columns, by ref name: the customer's ids to resolve. */
  refs: Record<string, string[]>;
}

export { normalizeName };
export type { Target, TraitConverter } from './targets.js';

export class Mapper {
  private readonly explicit = new Map<string, Target>();
  private readonly ignore: Set<string>;
  private readonly cache = new Map<string, Target>();
  private readonly dropped: string[] = [];
  /** --map sources met in a record whose mapping failed before reaching them (see map()). */
  private readonly present = new Set<string>();
  private readonly empty: EmptyPolicy;
  private readonly sep: string;
  /** How numbers and dates are written: the settings, and what the reader found (inputFound). */
  private cells: CellFormat | undefined;

  constructor(
    private readonly spec: ObjectSpec,
    private readonly opts: MapperOptions = {},
  ) {
    this.empty = opts.empty ?? 'omit';
    this.sep = opts.listSeparator ?? ';';
    this.cells = opts.cells;
    this.ignore = new Set(opts.ignore ?? []);
    for (const m of opts.map ?? []) this.explicit.set(m.source, this.targetOf(m.target, m.type, `--map ${m.source}=${m.target}`, m.source));
  }

  /** Resolve an explicit target name; throws ConfigError naming what is allowed. */
  private targetOf(target: string, type: ValueType | undefined, where: string, column: string): Target {
    if (target === '' || target === '-' || target === 'ignore') return { kind: 'ignore' };
    if (target.startsWith('traits.') && target.length > 7) {
      if (!this.spec.traits) throw new ConfigError(`${where}: ${this.spec.name} records have no traits`);
      if (target === `traits.${PROTO}`)
        throw new ConfigError(`${where}: a trait cannot be named "${PROTO}" (JavaScript reads that key as an object's prototype); choose another name`);
      return this.traitTarget(target.slice(7), type, column);
    }
    // Own names only: "constructor" or "toString" are no fields, whatever every object inherits.
    const f = Object.hasOwn(this.spec.fields, target) ? this.spec.fields[target] : undefined;
    if (f) return { kind: 'field', name: target, spec: f, type: type ?? f.type, how: 'map' };
    const r = Object.hasOwn(this.spec.refs, target) ? this.spec.refs[target] : undefined;
    if (r) return { kind: 'ref', name: target, spec: r, how: 'map' };
    const known = [...Object.keys(this.spec.fields), ...Object.keys(this.spec.refs)].join(', ');
    throw new ConfigError(
      `${where}: "${target}" is not a field of ${this.spec.name} (fields: ${known})${this.spec.traits ? `; write traits.${target} for a trait` : ''}`,
    );
  }

  /** Columns that fill no field of a type without traits (an NPS response), so were left out. */
  leftOut(): string[] {
    return [...this.dropped];
  }

  /**
   * What the reader found of the input's form: a `;` delimiter is the list separator of the locales that
   * write a decimal comma, so unless the run said which mark it uses, `1.234` is ambiguous there; so it is
   * in a rejects file, whose records may have been read from such an export.
   */
  inputFound(found: { delimiter?: string; rejects?: boolean }): void {
    this.cells = { ...this.cells, commaLocale: found.delimiter === ';' || found.rejects === true };
  }

  /** Every column met so far, with where it goes. */
  columns(): Array<[string, Target]> {
    return [...this.cache];
  }

  /** The --map / --mapping sources no record has held so far (a misspelt column, or a file without it). */
  unmatchedSources(): string[] {
    return [...this.explicit.keys()].filter((source) => !this.cache.has(source) && !this.present.has(source));
  }

  /** Where a column goes (looked up once per column, then kept). */
  targetFor(column: string): Target {
    let t = this.cache.get(column);
    if (t) return t;
    if (this.ignore.has(column)) t = { kind: 'ignore' };
    else t = this.explicit.get(column);
    if (!t) {
      // An NDJSON `traits` object (an event's `properties`) merges into the traits.
      if ((column === 'traits' || this.spec.traitsColumns?.includes(column)) && this.spec.traits) t = { kind: 'traitsObject' };
      else if (column.startsWith('traits.') && column.length > 7 && this.spec.traits) {
        t = this.traitTarget(column.slice(7), undefined, column);
      } else t = namedTarget(this.spec, column);
      if (!t) {
        // A type without traits has no place for it: it is left out, and the run says so (leftOut).
        if (!this.spec.traits) this.dropped.push(column);
        t = this.spec.traits ? this.traitTarget(column, undefined, column) : { kind: 'ignore' };
      }
      if (t.kind === 'trait' && t.key === PROTO) t = { kind: 'refused', reason: protoReason(column) };
    }
    this.cache.set(column, t);
    if (t.kind === 'trait') this.opts.onTraitKey?.(t.key, column);
    return t;
  }

  /**
   * A trait target: an explicit type wins; else the known trait's converter (Vitally's catalogue); else
   * the type the column's first values show (--types auto); else as read.
   */
  private traitTarget(key: string, type: ValueType | undefined, column: string): Target {
    if (type !== undefined) return { kind: 'trait', key, type, from: 'map' };
    const conv = this.opts.traitConverters?.get(key);
    if (conv) return { kind: 'trait', key, type: undefined, conv, from: 'vitally' };
    const inferred = this.opts.inferred?.types.get(column);
    return inferred !== undefined ? { kind: 'trait', key, type: inferred, from: 'inferred' } : { kind: 'trait', key, type: undefined, from: 'as-read' };
  }

  /** The type each trait column met so far is sent with, and where it came from (for the summary). */
  traitTypes(): TraitType[] {
    const out: TraitType[] = [];
    for (const [column, t] of this.cache) {
      if (t.kind !== 'trait') continue;
      out.push({ column, trait: t.key, type: t.conv ? t.conv.typeName : (t.type ?? 'as read'), from: t.from });
    }
    return out;
  }

  /**
   * Resolve every column of a record (and the keys of an NDJSON `traits` object) without converting
   * anything, so onTraitKey hears of every trait key: the check run before any row is sent.
   */
  scan(data: Record<string, unknown>): void {
    for (const column of Object.keys(data)) {
      const t = this.targetFor(column);
      const v = data[column];
      if (t.kind === 'traitsObject' && v && typeof v === 'object' && !Array.isArray(v)) {
        for (const key of Object.keys(v)) if (key !== PROTO) this.opts.onTraitKey?.(key, column);
      }
    }
  }

  /**
   * The record's key as text, read before (and whatever becomes of) the mapping: a row that fails
   * conversion is still reported with its key, and still counts as present in the file.
   */
  keyOf(data: Record<string, unknown>): string | null {
    for (const column of Object.keys(data)) {
      const t = this.targetFor(column);
      if (t.kind === 'field' && t.name === this.spec.key) {
        const v = data[column];
        if (typeof v === 'string' && v.trim() !== '') return v;
        if (typeof v === 'number') return String(v);
      }
    }
    return null;
  }

  /** Map one record. Throws RowError (with the column and field named) when a cell cannot be converted. */
  map(data: Record<string, unknown>): Mapped {
    try {
      return this.mapColumns(data);
    } catch (err) {
      // The columns after the failing cell were not looked at; a --map source among them is still in
      // the input, and must not be reported as missing from it.
      for (const column of Object.keys(data)) if (this.explicit.has(column)) this.present.add(column);
      throw err;
    }
  }

  private mapColumns(data: Record<string, unknown>): Mapped {
    const record: MappedRecord = {};
    const refs: Record<string, string[]> = {};
    let traits: Record<string, unknown> | undefined;
    // The traits set by a column of this row: a second column for one of them is two answers to one
    // question (a `traits` object's keys merge instead, the later winning, as documented).
    const traitColumns = new Set<string>();
    for (const column of Object.keys(data)) {
      const t = this.targetFor(column);
      if (t.kind === 'ignore') continue;
      let value = data[column];
      const isEmpty = value === undefined || (typeof value === 'string' && value.trim() === '');
      if (isEmpty) {
        if (this.empty === 'omit') continue;
        value = null;
      }
      if (t.kind === 'refused') throw new RowError('ROW_INVALID', `column "${column}": ${t.reason}`, column);
      if (t.kind === 'traitsObject') {
        if (value === null) continue;
        if (typeof value !== 'object' || Array.isArray(value)) {
          throw new RowError('ROW_INVALID', `column "traits": expected an object of traits`, 'traits');
        }
        if (Object.hasOwn(value, PROTO)) {
          throw new RowError(
            'ROW_INVALID',
            `column "${column}": holds the key "${PROTO}", which cannot be a trait name (JavaScript reads it as an object's prototype, so the value would be lost)`,
            column,
          );
        }
        if (this.opts.onTraitKey) for (const key of Object.keys(value)) this.opts.onTraitKey(key, column);
        traits = Object.assign(traits ?? {}, value);
        continue;
      }
      if (t.kind === 'trait') {
        if (traitColumns.has(t.key)) throw this.twoColumns(column, `traits.${t.key}`, data);
        traitColumns.add(t.key);
      }
      if (value === null) {
        if (t.kind === 'trait') (traits ??= {})[t.key] = null;
        else if (t.kind === 'field' && t.spec.nullable) record[t.name] = null;
        continue;
      }
      if (t.kind === 'ref') {
        const c = convert(value, 'stringArray', this.sep);
        if (!c.ok) throw new RowError('ROW_INVALID', `column "${column}": ${c.reason}`, t.name);
        const ids = c.value as string[];
        if (!t.spec.many && ids.length > 1) {
          throw new RowError('ROW_INVALID', `column "${column}": one ${t.spec.object} only, found ${ids.length}`, t.name);
        }
        if (ids.length && !t.spec.many && refs[t.name]) throw this.twoColumns(column, t.name, data);
        if (ids.length) refs[t.name] = [...(refs[t.name] ?? []), ...ids];
        continue;
      }
      if (t.kind === 'trait' && t.conv) {
        const c = t.conv.convert(value, this.sep, this.cells);
        if (!c.ok) throw new RowError('ROW_INVALID', `column "${column}" -> traits.${t.key} (${t.conv.typeName}): ${c.reason}`, `traits.${t.key}`);
        (traits ??= {})[t.key] = c.value;
        continue;
      }
      const type = t.type;
      if (type === undefined) {
        (traits ??= {})[(t as { key: string }).key] = value;
        continue;
      }
      if (t.kind === 'trait' && t.from === 'inferred') {
        const c = convertInferred(value, type, this.cells);
        if (!c.ok) {
          const rows = this.opts.inferred!.rows;
          throw new RowError(
            'ROW_INVALID',
            `column "${column}" -> traits.${t.key} (${type}, from the values of the first ${rows === 1 ? 'row' : `${rows} rows`}): ${c.reason}; --map ${column}=traits.${t.key}:string sends the column as text`,
            `traits.${t.key}`,
          );
        }
        (traits ??= {})[t.key] = c.value;
        continue;
      }
      const c = convert(value, type, this.sep, this.cells);
      if (!c.ok) {
        const name = t.kind === 'trait' ? `traits.${t.key}` : t.name;
        throw new RowError('ROW_INVALID', `column "${column}" -> ${name} (${type}): ${c.reason}`, name);
      }
      if (t.kind === 'trait') (traits ??= {})[t.key] = c.value;
      else {
        // Two columns filling one list field (accountId and accountIds) add up; two values for any other
        // field are two answers to one question: the row fails rather than one silently winning.
        const prev = record[t.name];
        if (prev !== undefined && !(Array.isArray(prev) && Array.isArray(c.value))) throw this.twoColumns(column, t.name, data);
        record[t.name] = Array.isArray(prev) ? [...prev, ...(c.value as unknown[])] : c.value;
      }
    }
    if (traits) record.traits = traits;
    return { record, refs };
  }

  /** The row's failure when `column` and an earlier column of it fill the same field, reference or trait. */
  private twoColumns(column: string, name: string, data: Record<string, unknown>): RowError {
    const other = Object.keys(data).find((c) => {
      const t = c === column ? undefined : this.targetFor(c);
      return ((t?.kind === 'field' || t?.kind === 'ref') && t.name === name) || (t?.kind === 'trait' && `traits.${t.key}` === name);
    });
    return new RowError('ROW_INVALID', bothFill(other ?? column, column, name), name);
  }
}
