/**
 * The one table of column names that fill an object's standard fields and reference columns, which
 * `push` (the mapper) and `init` (its proposal) both use: names compared with case, spaces, '_', '-'
 * and '.' ignored (`External_ID` is `externalId`). In order of trust, the first to claim a name keeps it:
 * 1. the field and reference names themselves (`externalId`, `accountExternalId`);
 * 2. their aliases in the object spec (`external id`, `id`; `accountExternalIds`);
 * 3. the names spreadsheets and CRMs export them under, the spec's `exportNames` (`Company Name`,
 *    `user_id`, `E-mail`).
 * docs/mapping.md prints the whole table.
 */
import { objectsWhere, type ObjectSpec } from '../objects/index.js';

export const normalizeName = (s: string): string => s.toLowerCase().replace(/[\s_.-]+/g, '');

/** What a column name fills, and by which rule of the table. */
export interface NamedTarget {
  kind: 'field' | 'ref';
  /** The field or reference name. */
  name: string;
  how: 'name' | 'alias' | 'export';
}

const tables = new WeakMap<ObjectSpec, Map<string, NamedTarget>>();

/** The object's table: normalised column name -> what it fills. */
export function nameTable(spec: ObjectSpec): ReadonlyMap<string, NamedTarget> {
  let table = tables.get(spec);
  if (table) return table;
  const t = new Map<string, NamedTarget>();
  const put = (alias: string, target: NamedTarget) => {
    const k = normalizeName(alias);
    if (!t.has(k)) t.set(k, target);
  };
  for (const name of Object.keys(spec.fields)) put(name, { kind: 'field', name, how: 'name' });
  for (const name of Object.keys(spec.refs)) put(name, { kind: 'ref', name, how: 'name' });
  for (const [name, f] of Object.entries(spec.fields)) for (const a of f.aliases ?? []) put(a, { kind: 'field', name, how: 'alias' });
  for (const [name, r] of Object.entries(spec.refs)) for (const a of r.aliases ?? []) put(a, { kind: 'ref', name, how: 'alias' });
  for (const [name, aliases] of Object.entries(spec.exportNames ?? {})) {
    const kind = spec.fields[name] ? 'field' : spec.refs[name] ? 'ref' : null;
    if (kind) for (const a of aliases) put(a, { kind, name, how: 'export' });
  }
  table = t;
  tables.set(spec, table);
  return table;
}

/** Every name in the table that fills `name` (the field, or the references that fill it), normalised. */
export function namesFor(spec: ObjectSpec, name: string): string[] {
  const fills = (t: NamedTarget) => t.name === name || (t.kind === 'ref' && spec.refs[t.name]?.target === name);
  return [...nameTable(spec)].filter(([, t]) => fills(t)).map(([k]) => k);
}

/**
 * The link columns of other object types that this one does not take, normalised, each with the objects
 * whose it is: their reference columns (`accountExternalId`, `authorEmail`, with their aliases) and the
 * fields those fill with Vitally ids (`accountId`, `userId`). Such a column on this object would become
 * a trait by accident, and the link it names would be lost.
 */
export function foreignLinks(spec: ObjectSpec): ReadonlyMap<string, string[]> {
  const own = nameTable(spec);
  const found = new Map<string, string[]>();
  for (const other of objectsWhere((o) => o !== spec)) {
    const names = Object.entries(other.refs).flatMap(([name, r]) => [name, ...(r.aliases ?? []), r.target]);
    for (const n of new Set(names.map(normalizeName))) {
      if (own.has(n)) continue;
      found.set(n, [...(found.get(n) ?? []), other.name]);
    }
  }
  return found;
}

/**
 * What links this object takes, in words: its reference columns ("userExternalId (the user taking
 * part: ...), adminEmail (a team member's email)"), else its fields that name another record (an
 * event's userId, accountId, organizationId), or undefined when it takes none (an organization).
 */
export function linksText(spec: ObjectSpec): string | undefined {
  const refs = Object.entries(spec.refs).map(
    ([name, r]) => `${name} (${r.description ?? (r.object === 'admin' ? "a team member's email" : `your ${r.object}'s id`)})`,
  );
  if (refs.length > 0) return refs.join(', ');
  const targets = new Set(objectsWhere(() => true).flatMap((o) => Object.values(o.refs).map((r) => r.target)));
  const fields = Object.keys(spec.fields).filter((f) => targets.has(f));
  return fields.length > 0 ? fields.join(', ') : undefined;
}
