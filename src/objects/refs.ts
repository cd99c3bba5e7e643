/**
 * What a reference column names, and how it is found: accounts, organizations and users by their
 * externalId, team members (admins) by their email, conversations by their externalId in the list of
 * conversations (Vitally has no look-up of a conversation by externalId). One entry per kind of record
 * a reference may name.
 */
import { RowError } from '../errors.js';
import type { PlannedRequest } from '../types.js';
import { account } from './account.js';
import { recordPath, type MappedRecord, type ObjectSpec, type RefObject, type Refs } from './define.js';
import { organization } from './organization.js';
import { user } from './user.js';

/** A list of records read page by page to find one by a field no look-up takes. */
export interface Listing {
  /** The list's path: pages of `{results, next}`. */
  path: string;
  /** The field of each listed record that holds the value looked for. */
  field: string;
}

interface RefTarget {
  /** The request that finds the record by the customer's value; or, for `list`, none. */
  lookup?(value: string): PlannedRequest;
  /** The record is found by reading this list (once a run, as far as needed). */
  list?: Listing;
  /** What was not found, in an error: "account with this externalId". */
  noun: string;
  /** The field of the record found that holds the value looked up (to confirm the answer is that record). */
  field: string;
}

const byExternalId = (spec: ObjectSpec): RefTarget => ({
  lookup: (value) => ({ method: 'GET', path: recordPath(spec, value) }),
  noun: `${spec.name} with this externalId`,
  field: spec.key,
});

const REF_TARGETS: Record<RefObject, RefTarget> = {
  account: byExternalId(account),
  organization: byExternalId(organization),
  user: byExternalId(user),
  admin: {
    lookup: (value) => ({ method: 'GET', path: `/resources/admins/search?email=${encodeURIComponent(value)}` }),
    noun: 'team member (admin) with this email',
    field: 'email',
  },
  conversation: {
    list: { path: '/resources/conversations', field: 'externalId' },
    noun: 'conversation with this externalId',
    field: 'externalId',
  },
};

/** The request that finds a record of this kind by the customer's value, or the list to read for it. */
export function lookupRequest(object: RefObject, value: string): PlannedRequest | Listing {
  const t = REF_TARGETS[object];
  return t.lookup ? t.lookup(value) : t.list!;
}

/** The field of a found record that holds the value it was looked up by. */
export function lookupField(object: RefObject): string {
  return REF_TARGETS[object].field;
}

/** Fail a row whose reference resolves to nothing, naming the value and the object. */
export function unresolved(column: string, object: RefObject, value: string): RowError {
  return new RowError('ROW_UNRESOLVED', `${column} "${value}": no ${REF_TARGETS[object].noun} in Vitally`, column);
}

/**
 * A row that names one record both by its Vitally id (conversationId) and by a reference
 * (conversationExternalId) that finds another: the row's error, since which one it meant is unknown.
 * `idFor` gives each reference value's Vitally id, once looked up.
 */
export function disagreeingRef(spec: ObjectSpec, record: MappedRecord, refs: Refs, idFor: (object: string, value: string) => string): RowError | null {
  for (const [column, values] of Object.entries(refs)) {
    const ref = spec.refs[column]!;
    const direct = record[ref.target];
    const value = values[0];
    if (ref.many || typeof direct !== 'string' || direct === '' || value === undefined) continue;
    const id = idFor(ref.object, value);
    if (id !== direct)
      return new RowError(
        'ROW_INVALID',
        `${ref.target} "${direct}" and ${column} "${value}" (${ref.object} ${id} in Vitally) name different records: give one of them`,
        ref.target,
      );
  }
  return null;
}
