/**
 * A row against a record Vitally holds: what the row sends, as `differences` (records.ts) compares it
 * with the record's normal form. Compared are the standard fields a PUT carries, the traits the row sends
 * (no other: traits of other sources are not the row's), and its links: reference values
 * (accountExternalId) are matched to the record's links by the customer's id where the record says it
 * (the live shape embeds the linked records), else by the Vitally id they are looked up to. Links follow
 * what the write does: an account's one organization is replaced; a user's accounts and organizations are
 * added to (--links add, and always through the Analytics API) or replaced (--links replace).
 */
import { RowError } from '../../errors.js';
import { fieldsFor, unresolved, type MappedRecord, type ObjectSpec, type RefObject, type Refs } from '../../objects/index.js';
import type { IdCache, RowChange } from '../../types.js';
import { differences, LINK_FIELDS, type Expected, type LinkList, type VitallyRecord, type WantedLink } from '../records.js';
import type { Resolver } from '../resolve.js';

/** A reference value whose Vitally id the comparison needs and does not know yet. */
interface Unknown {
  column: string;
  object: RefObject;
  value: string;
}

export class Expectations {
  constructor(
    private readonly spec: ObjectSpec,
    /** How the write treats a user's links: added to the record's, or replacing them. */
    private readonly links: 'add' | 'replace',
    private readonly ids: IdCache,
    private readonly resolver: Resolver | undefined,
  ) {}

  /**
   * How the record differs from the row: none means the row would change nothing. Synchronous unless a
   * reference's id must be looked up first; a reference Vitally has no record for is a RowError (the
   * row would fail when sent).
   */
  differ(record: MappedRecord, refs: Refs, found: VitallyRecord): RowChange['fields'] | RowError | Promise<RowChange['fields'] | RowError> {
    const first = this.expected(record, refs, found);
    if (first.unknown.length === 0 || !this.resolver) return changes(first.expected, found);
    const resolver = this.resolver;
    return (async () => {
      for (const u of first.unknown) {
        const id = await resolver.resolve(u.object, u.value);
        if (id === null) return unresolved(u.column, u.object, u.value);
      }
      return changes(this.expected(record, refs, found).expected, found);
    })();
  }

  /** What a record Vitally lacks would be created with, for a dry run: every value the row sends. */
  created(record: MappedRecord, refs: Refs): RowChange['fields'] {
    const { expected } = this.expected(record, refs, null);
    const out: RowChange['fields'] = [];
    for (const [field, v] of Object.entries(expected.fields ?? {})) out.push({ field, old: null, new: v });
    for (const [k, v] of Object.entries(expected.traits ?? {})) out.push({ field: `traits.${k}`, old: null, new: v });
    for (const list of ['accounts', 'organizations'] as const) {
      const wanted = [...(expected[list === 'accounts' ? 'accountIds' : 'organizationIds'] ?? []).map((id) => ({ id })), ...(expected[list] ?? [])];
      if (wanted.length > 0) out.push({ field: list, old: null, new: wanted.map((w: WantedLink) => w.externalId ?? w.id) });
    }
    return out;
  }

  /**
   * The row as Expected, and the reference values whose Vitally ids it needs but does not know: those
   * of a link list where the record does not name its links by the customer's id, and those of a plain
   * field (a custom object instance's customerId holds an id).
   */
  private expected(record: MappedRecord, refs: Refs, found: VitallyRecord | null): { expected: Expected; unknown: Unknown[] } {
    const { spec } = this;
    const fields: Record<string, unknown> = {};
    const named: Record<LinkList, WantedLink[]> = { accounts: [], organizations: [] };
    const given = new Set<LinkList>();
    const exact = new Set<LinkList>();
    const unknown: Unknown[] = [];
    const link = (target: string, many: boolean): LinkList | undefined => {
      const l = LINK_FIELDS[target];
      if (!l) return undefined;
      given.add(l.list);
      if (!many || !l.many || this.links === 'replace') exact.add(l.list);
      return l.list;
    };
    for (const name of fieldsFor(spec, 'update')) {
      const v = record[name];
      if (name === spec.key || v === undefined) continue;
      const list = link(name, LINK_FIELDS[name]?.many ?? false);
      if (!list) fields[name] = v;
      else if (v !== null) for (const id of Array.isArray(v) ? v : [v]) named[list].push({ id: String(id) });
    }
    for (const [column, values] of Object.entries(refs)) {
      const ref = spec.refs[column];
      if (!ref) continue;
      const list = link(ref.target, ref.many);
      // The record names its links by the customer's id only where every link carries one.
      const byExternalId = list !== undefined && found !== null && found[list].every((l) => l.externalId !== null);
      const resolved: Array<string | undefined> = values.map((v) => this.ids.get(ref.object, v));
      values.forEach((v, i) => {
        if (resolved[i] === undefined && found !== null && !byExternalId) unknown.push({ column, object: ref.object, value: v });
      });
      if (list) values.forEach((v, i) => named[list].push({ externalId: v, id: resolved[i] }));
      // A record to create is shown with the customer's ids; one to compare needs Vitally's.
      else if (found === null) fields[column] = ref.many ? values : values[0];
      else fields[ref.target] = ref.many ? resolved : resolved[0];
    }
    const expected: Expected = { fields };
    if (record.traits) expected.traits = record.traits;
    for (const list of given) expected[list] = named[list];
    if (exact.size > 0) expected.exact = [...exact];
    return { expected, unknown };
  }
}

function changes(expected: Expected, found: VitallyRecord): RowChange['fields'] {
  return differences(expected, found).map((d) => ({ field: d.field, old: d.found, new: d.sent }));
}

/** A RowError from `differ`, or its changes. */
export const isRowError = (v: unknown): v is RowError => v instanceof RowError;
