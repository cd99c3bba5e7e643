/**
 * Reference values in a record: the customer's ids a row names (accountExternalId, ...) go into the
 * record's reference fields as Vitally ids, or as placeholders (`{{account:acme}}`) before the ids are
 * known. A row is checked with placeholders, so one that cannot be sent costs no look-up; a dry run
 * prints them.
 */
import type { MappedRecord, ObjectSpec, Refs } from '../objects/define.js';

/** The Vitally id of a reference value: `object` is what it names (account, admin, ...). */
export type IdFor = (object: string, value: string) => string;

/** Stands for the Vitally id a look-up will find. */
export const placeholder: IdFor = (object, value) => `{{${object}:${value}}}`;

/** The object has a key of its own (no Object.keys array made). */
export const hasKeys = (o: object): boolean => {
  for (const _ in o) return true;
  return false;
};

/** The record with its reference fields filled: the ids `idFor` gives, added after any given directly. */
export function substitute(spec: ObjectSpec, record: MappedRecord, refs: Refs, idFor: IdFor): MappedRecord {
  if (!hasKeys(refs)) return record;
  const out: MappedRecord = { ...record };
  for (const [column, values] of Object.entries(refs)) {
    const ref = spec.refs[column]!;
    const ids = values.map((v) => idFor(ref.object, v));
    if (ref.many) out[ref.target] = [...((out[ref.target] as string[] | undefined) ?? []), ...ids];
    else out[ref.target] = ids[0];
  }
  return out;
}
