/**
 * Where a column goes, in the mapper's terms (mapper.ts keeps them, one per column): a field, a
 * reference to look up, a trait, or a column refused: named `__proto__`, or a link of another object
 * type. Also the words of the refusals the mapper and the column check (columns.ts) share.
 */
import { article, type FieldSpec, type ObjectSpec, type RefSpec } from '../objects/define.js';
import type { CellFormat, Converted, ValueType } from './coerce.js';
import type { TypeSource } from './infer.js';
import { foreignLinks, linksText, nameTable, normalizeName, type NamedTarget } from './names.js';

/** A known trait's own conversion; `typeName` is what an error calls its type ("picklist"). */
export interface TraitConverter {
  typeName: string;
  convert(value: unknown, listSeparator: string, cells?: CellFormat): Converted;
}

/**
 * Where a column goes. `how` says how a field or reference was matched: by --map, or by the name table
 * (names.ts: its own name, an alias, a name exports use); a trait's `from` says where its type came from.
 */
export type Target =
  | { kind: 'field'; name: string; spec: FieldSpec; type: ValueType; how: NamedTarget['how'] | 'map' }
  | { kind: 'ref'; name: string; spec: RefSpec; how: NamedTarget['how'] | 'map' }
  | { kind: 'trait'; key: string; type: ValueType | undefined; conv?: TraitConverter | undefined; from: TypeSource }
  | { kind: 'traitsObject' }
  | { kind: 'ignore' }
  /**
   * A column whose value cannot be carried under its name: a row holding a value there fails. `link`:
   * it is a link column of these other object types (this one does not take it).
   */
  | { kind: 'refused'; reason: string; link?: string[] };

/**
 * The one trait name refused: `__proto__`. Assigned to an object it sets the object's prototype instead
 * of a key, in this tool and in the JavaScript servers that would receive it, so the trait would vanish
 * (or worse). `constructor`, `prototype` and the like are carried as ordinary names.
 */
export const PROTO = '__proto__';
export const protoReason = (column: string) =>
  `a trait cannot be named "${PROTO}" (JavaScript reads that key as an object's prototype, so the value would be lost): map the column to another name (--map ${column}=traits.<name>) or drop it (--ignore ${column})`;

/**
 * A column by the name table (names.ts), or one that names a link of another object type, which is
 * refused rather than kept as a trait nobody meant.
 */
export function namedTarget(spec: ObjectSpec, column: string): Target | undefined {
  const n = normalizeName(column);
  const found = nameTable(spec).get(n);
  if (found?.kind === 'field') {
    const f = spec.fields[found.name]!;
    return { kind: 'field', name: found.name, spec: f, type: f.type === 'json' ? 'json' : f.type, how: found.how };
  }
  if (found?.kind === 'ref') return { kind: 'ref', name: found.name, spec: spec.refs[found.name]!, how: found.how };
  const owners = spec.traits ? foreignLinks(spec).get(n) : undefined;
  if (!owners) return undefined;
  const links = linksText(spec);
  const reason =
    `${spec.name}s take no "${column}" (a link of ${owners.map((o) => `${o}s`).join(', ')}); ${article(spec.name)} links to ${links ?? 'no other record'}. ` +
    `${links ? 'Map it to one of those, keep' : 'Keep'} it as a trait (--map ${column}=traits.${column}), or leave it out (--ignore ${column})`;
  return { kind: 'refused', reason, link: owners };
}

/** Two columns fill one field: what to do. */
export function bothFill(first: string, second: string, name: string): string {
  return `columns "${first}" and "${second}" both fill ${name}: keep one (--ignore "${second}"), or map the other elsewhere (--map "${second}=traits.<name>")`;
}
