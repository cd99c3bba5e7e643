/**
 * `init`'s proposal: for each column of a sample export, where it should go and why. Standard fields by
 * the name table push maps by too (mapping/names.ts: names, aliases, the spec's `exportNames`); a field that holds a
 * Vitally id becomes the look-up column when the sample holds the customer's own ids; traits by Vitally's catalogue (key,
 * last segment of the key, or label), else typed from the sampled values; what cannot be placed with
 * confidence is left out and listed for review. Pure: the CLI reads the file and writes the config.
 */
import { convert, type CellFormat, type Converted, type ValueType } from '../mapping/coerce.js';
import { localDateHint, localNumber } from '../mapping/locale.js';
import { nameTable, normalizeName } from '../mapping/names.js';
import type { ObjectSpec } from '../objects/index.js';
import type { TraitField } from './catalogue.js';
import { inferType } from '../mapping/infer.js';
import { editDistance, orList, suggest } from './suggest.js';
import { converterFor, kindOf } from './types.js';

export interface Decision {
  column: string;
  /** As written in the sync's map ("externalId", "traits.mrr:number"); null: left out (ignored). */
  target: string | null;
  reason: string;
  /** Why a person should look (every column left out has one). */
  review?: string;
}

export interface Proposal {
  decisions: Decision[];
  map: Record<string, string>;
  ignore: string[];
  /** Fields a create needs that no column fills. */
  missing: string[];
  /** Columns of picklist or multi-value traits: checked against their options only with --types vitally. */
  picklists: string[];
}

export interface ProposeInput {
  spec: ObjectSpec;
  columns: string[];
  rows: Array<Record<string, unknown>>;
  /** Traits Vitally knows: its catalogue's and the standard ones. */
  known: TraitField[];
  /** A catalogue was read (else only the standard traits are known). */
  haveCatalogue: boolean;
  listSeparator?: string;
  /** How the input writes numbers and dates (init's --decimal-comma, --date-format), as the sync will read them. */
  cells?: CellFormat | undefined;
}

/** The target shown for an NDJSON `traits` column, which needs no map entry. */
export const TRAITS_OBJECT = '(traits object)';

type Place = { kind: 'field' | 'ref'; name: string; how: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const last = (k: string) => k.slice(k.lastIndexOf('.') + 1);
const filledValues = (rows: Array<Record<string, unknown>>, column: string) =>
  rows.map((r) => r[column]).filter((v) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === ''));
const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v) : JSON.stringify(v));

/** Standard fields and look-up columns by normalised name: the table push maps by too (mapping/names.ts). */
function placesOf(spec: ObjectSpec): Map<string, Place> {
  const places = new Map<string, Place>();
  for (const [k, t] of nameTable(spec)) {
    const r = t.kind === 'ref' ? spec.refs[t.name]! : undefined;
    const how =
      t.how === 'alias'
        ? `alias of ${t.name}`
        : t.how === 'export'
          ? `common name for ${t.name}`
          : r
            ? `looked up: your ${r.object === 'admin' ? "team member's email" : `${r.object} id`}`
            : 'standard field';
    places.set(k, { kind: t.kind, name: t.name, how });
  }
  return places;
}

/** Known traits by key, by the key's last segment and by label (normalised), in that order of trust. */
function traitIndex(known: TraitField[]) {
  const by = [new Map<string, TraitField[]>(), new Map<string, TraitField[]>(), new Map<string, TraitField[]>()];
  const add = (m: Map<string, TraitField[]>, k: string, f: TraitField) => m.set(k, [...(m.get(k) ?? []), f]);
  for (const f of known) {
    add(by[0]!, normalizeName(f.key), f);
    add(by[1]!, normalizeName(last(f.key)), f);
    add(by[2]!, normalizeName(f.label), f);
  }
  const how = ['its key', 'the last part of its key', 'its label'];
  return (column: string): { field?: TraitField; how?: string; ambiguous?: TraitField[] } => {
    const n = normalizeName(column);
    for (let i = 0; i < by.length; i++) {
      const hits = by[i]!.get(n);
      if (hits && hits.length === 1) return { field: hits[0]!, how: how[i]! };
      if (hits && hits.length > 1) return { ambiguous: hits };
    }
    return {};
  };
}

/** The ValueType a Vitally trait type is written with in a map entry (none for text, picklists and lists). */
function mapType(f: TraitField): ValueType | undefined {
  const k = kindOf(f.type);
  return k === 'number' || k === 'boolean' || k === 'date' || k === 'datetime' ? k : undefined;
}

/** Sampled values that would fail conversion: a note for review (with the first one's reason), or undefined. */
function badValues(values: unknown[], conv: (v: unknown) => Converted, what: string): string | undefined {
  let first: string | undefined;
  const bad = values.filter((v) => {
    const c = conv(v);
    if (!c.ok) first ??= c.reason;
    return !c.ok;
  });
  if (bad.length === 0) return undefined;
  return `${bad.length} of ${values.length} sampled values would fail their row as ${what}: ${bad.slice(0, 3).map(show).join(', ')} (${first})`;
}

/**
 * Text that looks like numbers or dates written the local way (`1.234,50`, `31.12.2026`) which the
 * options given do not read: the option that would type the column, for review; or undefined.
 */
function localHint(values: unknown[], cells: CellFormat | undefined): string | undefined {
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const n = localNumber(v, cells);
    if (n && 'reason' in n) return `looks like numbers written the local way (${n.reason}): init with that option types it, and the sync keeps it`;
    const d = cells?.dateFormat ? undefined : localDateHint(v);
    if (d) return `looks like dates written the local way (${show(v)}: ${d}): init with that option types it, and the sync keeps it`;
  }
  return undefined;
}

export function propose(input: ProposeInput): Proposal {
  const { spec, rows } = input;
  const sep = input.listSeparator ?? ';';
  const places = placesOf(spec);
  const findTrait = traitIndex(input.known);
  const knownKeys = input.known.map((f) => f.key);
  const fieldNames = [...Object.keys(spec.fields), ...Object.keys(spec.refs)];
  const filledBy = new Map<string, string>();
  const decisions: Decision[] = [];
  const picklists: string[] = [];

  const placeField = (column: string, p: Place, values: unknown[]): Decision => {
    let { kind, name, how } = p;
    // A field that takes a Vitally id, given the customer's own ids (or emails): look them up instead.
    if (kind === 'field' && values.length > 0) {
      const ref = Object.entries(spec.refs).find(([, r]) => r.target === name);
      const notIds = ref && (ref[1].object === 'admin' ? values.every((v) => String(v).includes('@')) : values.some((v) => !UUID.test(String(v).trim())));
      if (ref && notIds) {
        kind = 'ref';
        how = `${how}, but the sampled values are not Vitally ids: ${ref[0]} looks them up as your ${ref[1].object === 'admin' ? "team members' emails" : `${ref[1].object} ids`}`;
        name = ref[0];
      }
    }
    const fills = kind === 'ref' ? spec.refs[name]!.target : name;
    const many = kind === 'ref' ? spec.refs[name]!.many : spec.fields[name]!.type === 'stringArray';
    const before = filledBy.get(fills);
    if (before !== undefined && !many) {
      return {
        column,
        target: null,
        reason: `also matches ${name}`,
        review: `${name} is already filled by column "${before}": pick one (the map entry decides)`,
      };
    }
    filledBy.set(fills, column);
    const d: Decision = { column, target: name, reason: how };
    const type = kind === 'field' ? spec.fields[name]!.type : undefined;
    if (type && type !== 'string') {
      const note = badValues(values, (v) => convert(v, type, sep, input.cells), `${name} (${type})`);
      if (note) d.review = note;
    }
    return d;
  };

  const placeTrait = (column: string, f: TraitField, how: string, values: unknown[]): Decision => {
    const type = mapType(f);
    const kind = kindOf(f.type);
    const d: Decision = {
      column,
      target: `traits.${f.key}${type ? `:${type}` : ''}`,
      reason: `${how}: ${f.type}${f.options?.length ? ` (${f.options.join(', ')})` : ''}`,
    };
    if (kind === 'picklist' || kind === 'multi') picklists.push(column);
    const conv = converterFor(f);
    if (conv) {
      const note = badValues(values, (v) => conv.convert(v, sep, input.cells), `${f.type}`);
      if (note) d.review = note;
    }
    return d;
  };

  for (const column of input.columns) {
    const values = filledValues(rows, column);
    if (column === 'traits' && values.some((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      // The mapper merges an NDJSON traits object by itself: nothing to write for it.
      decisions.push({ column, target: TRAITS_OBJECT, reason: 'an NDJSON traits object: merged into the traits as it is' });
      continue;
    }
    const place = column.startsWith('traits.') ? undefined : places.get(normalizeName(column));
    if (place) {
      decisions.push(placeField(column, place, values));
      continue;
    }
    const traitKey = column.startsWith('traits.') && column.length > 7 ? column.slice(7) : undefined;
    if (traitKey !== undefined) {
      const f = input.known.find((k) => k.key === traitKey);
      if (f) {
        decisions.push(placeTrait(column, f, `${f.standard ? 'standard' : 'custom'} trait "${f.label}" by its key`, values));
        continue;
      }
    } else {
      const t = findTrait(column);
      if (t.field) {
        decisions.push(placeTrait(column, t.field, `${t.field.standard ? 'standard' : 'custom'} trait "${t.field.label}" by ${t.how}`, values));
        continue;
      }
      if (t.ambiguous) {
        const keys = t.ambiguous.map((f) => f.key);
        decisions.push({ column, target: null, reason: 'matches several traits', review: `matches ${orList(keys)}: map it to one ("traits.<key>")` });
        continue;
      }
    }
    const key = traitKey ?? column;
    const inferred = inferType(
      rows.map((r) => r[column]),
      'propose',
      input.cells,
    );
    if (values.length === 0) {
      decisions.push({ column, target: null, reason: 'no values', review: `${inferred.why}: nothing tells what it holds` });
      continue;
    }
    const near = suggest(key, knownKeys);
    if (near.length > 0) {
      decisions.push({
        column,
        target: null,
        reason: `not a known ${spec.name} trait`,
        review: `did you mean ${orList(near.map((k) => `traits.${k}`))}? Left out until you choose`,
      });
      continue;
    }
    const nearField = fieldNames.find((n) => normalizeName(key).length >= 4 && editDistance(normalizeName(key), normalizeName(n)) === 1);
    if (nearField) {
      decisions.push({ column, target: null, reason: `close to the field ${nearField}`, review: `is it ${nearField} misspelt? Left out until you choose` });
      continue;
    }
    const hint = inferred.type ? undefined : localHint(values, input.cells);
    decisions.push({
      column,
      target: `traits.${key}${inferred.type ? `:${inferred.type}` : ''}`,
      reason: `${input.haveCatalogue ? `not in Vitally's ${spec.name} catalogue` : 'no standard field of that name'}: a new trait; ${inferred.why}`,
      ...(hint ? { review: hint } : {}),
    });
  }

  const map: Record<string, string> = {};
  const ignore: string[] = [];
  for (const d of decisions) {
    if (d.target === null) ignore.push(d.column);
    else if (d.target !== TRAITS_OBJECT) map[d.column] = d.target;
  }
  return { decisions, map, ignore, missing: missingFields(spec, new Set(filledBy.keys())), picklists };
}

/** What a create needs that no column fills (the key of append-only objects is derived, defaults are filled). */
function missingFields(spec: ObjectSpec, filled: Set<string>): string[] {
  const missing: string[] = [];
  for (const [name, f] of Object.entries(spec.fields)) {
    if (!f.required || filled.has(name)) continue;
    if (spec.kind === 'append' && name === spec.key) continue;
    if (spec.defaults?.[name]) continue;
    missing.push(name);
  }
  for (const rule of spec.oneOf) {
    if (!rule.fields.some((f) => filled.has(f))) missing.push(orList(rule.fields));
  }
  return missing;
}
