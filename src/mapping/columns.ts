/**
 * What an input's columns say before its first row is sent (the header of a CSV, the first record of
 * the others), beside what each cell says as rows are mapped:
 * - two columns that fill one field or trait (`Email` and `E-mail`, `External ID` and `external_id`,
 *   `plan` and `traits.plan`) leave no way to tell which value is meant: the input is refused, naming both and the field;
 * - a column that is another object type's link (`accountExternalId` on a conversation) would become a
 *   trait nobody meant, and the link would be lost: the input is refused, saying what this object takes;
 * - a field a create needs that no column fills, while a column looks like it (`Customer Full Name`),
 *   is warned about, pointing to --map and `init`;
 * and, once the run is over, which columns were matched by an alias rather than their own name.
 */
import { article, type ObjectSpec } from '../objects/index.js';
import type { Mapper } from './mapper.js';
import { bothFill, type Target } from './targets.js';
import { nameTable, namesFor, normalizeName } from './names.js';

export interface ColumnCheck {
  /** Why the input cannot be sent as it is (one line per problem), or undefined. */
  refusal?: string;
  warnings: string[];
}

export interface CheckOptions {
  /** The run's mode: a field needed only to create is not missing in `update`. */
  mode: string;
  /** Fields set on every row by a setting (--event): no column needs to fill them. */
  constants: readonly string[];
}

/** The field, reference or trait (`traits.<key>`) a target fills, or undefined for a dropped column, ... */
const fills = (t: Target): string | undefined =>
  t.kind === 'field' ? t.name : t.kind === 'ref' ? t.spec.target : t.kind === 'trait' ? `traits.${t.key}` : undefined;

/** One value only: a field that is no list, a reference to one record, a trait. */
const single = (t: Target): boolean => (t.kind === 'field' ? t.spec.type !== 'stringArray' : t.kind === 'ref' ? !t.spec.many : t.kind === 'trait');

export function checkColumns(mapper: Mapper, spec: ObjectSpec, columns: readonly string[], o: CheckOptions): ColumnCheck {
  const problems: string[] = [];
  const filledBy = new Map<string, { column: string; target: Target }>();
  const filled = new Map<string, string>();
  for (const column of columns) {
    const t = mapper.targetFor(column);
    if (t.kind === 'refused' && t.link) problems.push(`column "${column}": ${t.reason}`);
    const field = fills(t);
    if (field === undefined) continue;
    // A reference and the Vitally-id field it fills may stand side by side (each row gives one or the
    // other): two columns of the same kind for one field may not.
    const same = `${t.kind}:${field}`;
    const before = filledBy.get(same);
    if (before && single(t) && single(before.target)) problems.push(bothFill(before.column, column, field));
    else if (!before) filledBy.set(same, { column, target: t });
    if (!filled.has(field)) filled.set(field, column);
  }
  const warnings = missing(mapper, spec, columns, filled, o);
  return { ...(problems.length > 0 ? { refusal: problems.join('; ') } : {}), warnings };
}

/** The fields a row must have that no column fills, each with a column that looks like it, if one does. */
function missing(mapper: Mapper, spec: ObjectSpec, columns: readonly string[], filled: Map<string, unknown>, o: CheckOptions): string[] {
  const given = (f: string) => filled.has(f) || o.constants.includes(f) || spec.defaults?.[f] !== undefined;
  const groups: string[][] = [];
  for (const [name, f] of Object.entries(spec.fields)) {
    const needed = f.required === 'always' || (f.required === 'create' && o.mode !== 'update');
    // An append-only record without its key gets one derived from its content.
    if (needed && !(name === spec.key && spec.kind === 'append')) groups.push([name]);
  }
  for (const rule of spec.oneOf) if (rule.when === 'always' || o.mode !== 'update') groups.push(rule.fields);
  // Columns kept as traits by their own name: the ones a person may have meant for a field.
  const loose = columns.filter((c) => {
    const t = mapper.targetFor(c);
    return t.kind === 'trait' && t.from !== 'map' && !c.startsWith('traits.');
  });
  const out: string[] = [];
  for (const group of groups) {
    if (group.some(given)) continue;
    const hit = likely(spec, group, loose);
    if (!hit) continue;
    const what = group.length === 1 ? `${group[0]} is` : `one of ${group.join(', ')} is`;
    const need = spec.fields[group[0]!]?.required === 'create' ? `to create ${article(spec.name)}` : `for ${article(spec.name)}`;
    out.push(
      `${what} needed ${need}, and no column fills it; column "${hit.column}" may hold it: --map "${hit.column}=${hit.name}", ` +
        `or let \`vitally-sync init <file> --object ${spec.name}\` propose a mapping`,
    );
  }
  return out;
}

/**
 * The first column whose name holds one of the names of a field of the group (or is held in one), and
 * the field or reference that name is of (`customer id` is a name of accountExternalId).
 */
function likely(spec: ObjectSpec, group: string[], columns: string[]): { column: string; name: string } | undefined {
  const table = nameTable(spec);
  for (const column of columns) {
    const c = normalizeName(column);
    if (c.length < 3) continue;
    for (const field of group) {
      for (const n of namesFor(spec, field)) {
        if (n.length >= 4 && (c.includes(n) || (c.length >= 4 && n.includes(c)))) return { column, name: table.get(n)!.name };
      }
    }
  }
  return undefined;
}

/** The columns matched by an alias or a name exports use, for the summary: `"Company Name" -> name`. */
export function aliasNote(mapper: Mapper): string | undefined {
  const matched = mapper
    .columns()
    .filter(([, t]) => (t.kind === 'field' || t.kind === 'ref') && (t.how === 'alias' || t.how === 'export'))
    .map(([column, t]) => `"${column}" -> ${(t as { name: string }).name}`);
  if (matched.length === 0) return undefined;
  return `columns matched by their common names (docs/mapping.md): ${matched.join(', ')}; --map a column to send it elsewhere`;
}
