/**
 * Records as Vitally answers them, read into one normal form. The one place that knows record shapes:
 * whatever reads an account, organization or user answered by Vitally (its id, its links, anything
 * compared) reads it through `readRecord`.
 *
 * Vitally answers two shapes (docs/vitally-fidelity.md):
 * - the docs' shape: every trait in `traits`, users with `accountIds` / `organizationIds`;
 * - the shape of live workspaces: accounts and organizations carry `mrr`, `nextRenewalDate`,
 *   `churnedAt` and `trialEndDate` at the top level (null when unset) although they are set through
 *   `traits`; users carry `accounts` and `organizations`, arrays of embedded records
 *   (`{id, externalId, name, traits}`), and no id lists; date-like traits may come back as epoch numbers.
 * Both read the same: the four values join the traits, every link becomes `{id, externalId}`.
 *
 * Values are compared by meaning (`sameValue`): an ISO 8601 text sent is equal to the epoch milliseconds
 * of the same instant answered, null and absent are equal; a list is equal to the same values in the same order.
 */
import { parseInstant } from '../mapping/coerce.js';

/** A link from a record to an account or organization: its Vitally id, and its externalId when the answer says it. */
export interface RecordLink {
  id: string;
  externalId: string | null;
}

/** One record in normal form. */
export interface VitallyRecord {
  /** Vitally's id. */
  id: string | null;
  externalId: string | null;
  /** The other top-level values (name, email, createdAt, ...): not the id, the externalId, traits or links. */
  fields: Record<string, unknown>;
  /** Every trait by key, the four top-level values of the live shape included (when set). */
  traits: Record<string, unknown>;
  /** The accounts it is linked to (a user's), in the order answered. */
  accounts: RecordLink[];
  /** The organizations it is linked to (a user's, or an account's one). */
  organizations: RecordLink[];
}

/** Values Vitally takes in `traits` but answers at the top level of accounts and organizations. */
export const TOP_LEVEL_TRAITS: readonly string[] = ['mrr', 'nextRenewalDate', 'churnedAt', 'trialEndDate'];

/** Top-level keys that are links, in either shape. */
const LINK_KEYS = new Set(['accountIds', 'organizationIds', 'accounts', 'organizations', 'organizationId', 'organization']);

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Links out of an id list (`accountIds`) or a list of embedded records (`accounts`), in either shape. */
function linksOf(ids: unknown, embedded: unknown, single?: unknown): RecordLink[] {
  const out: RecordLink[] = [];
  const add = (l: RecordLink) => {
    const same = out.find((o) => o.id === l.id);
    if (!same) out.push(l);
    else same.externalId ??= l.externalId;
  };
  if (Array.isArray(embedded)) {
    for (const e of embedded) {
      if (isObject(e) && text(e.id)) add({ id: e.id as string, externalId: text(e.externalId) });
      else if (text(e)) add({ id: e as string, externalId: null });
    }
  }
  if (Array.isArray(ids)) for (const id of ids) if (text(id)) add({ id: id as string, externalId: null });
  if (isObject(single) && text(single.id)) add({ id: single.id as string, externalId: text(single.externalId) });
  else if (text(single)) add({ id: single as string, externalId: null });
  return out;
}

/** One record of either shape in normal form, or null when the value is not a record. */
export function readRecord(json: unknown): VitallyRecord | null {
  if (!isObject(json)) return null;
  const traits: Json = isObject(json.traits) ? { ...json.traits } : {};
  const fields: Json = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === 'id' || k === 'externalId' || k === 'traits' || LINK_KEYS.has(k)) continue;
    if (TOP_LEVEL_TRAITS.includes(k)) {
      // The live shape answers null for a value never set: that is no trait.
      if (v !== null && v !== undefined && traits[k] === undefined) traits[k] = v;
      continue;
    }
    fields[k] = v;
  }
  return {
    id: text(json.id),
    externalId: text(json.externalId),
    fields,
    traits,
    accounts: linksOf(json.accountIds, json.accounts),
    organizations: linksOf(json.organizationIds, json.organizations, json.organizationId ?? json.organization),
  };
}

/** The items of an answer as answered: a list page's (`{results: [...]}`), a bare array's, or the one record. */
function itemsOf(json: unknown): unknown[] {
  return Array.isArray(json) ? json : isObject(json) && Array.isArray(json.results) ? json.results : isObject(json) ? [json] : [];
}

/** The records of an answer: a list page (`{results: [...]}`), a bare array (a search), or one record. */
export function readRecords(json: unknown): VitallyRecord[] {
  const out: VitallyRecord[] = [];
  for (const item of itemsOf(json)) {
    const r = readRecord(item);
    if (r) out.push(r);
  }
  return out;
}

/**
 * The record a look-up's answer holds, as answered (to stand for the answer itself): the record, or the
 * first of a search's results; null unless it is a record with an id.
 */
export function recordInAnswer(json: unknown): Record<string, unknown> | null {
  const first = itemsOf(json)[0];
  return isObject(first) && text(first.id) ? first : null;
}

/** The Vitally id in a look-up's answer (recordInAnswer), or null. */
export function idInAnswer(json: unknown): string | null {
  return readRecord(recordInAnswer(json))?.id ?? null;
}

/** A top-level value of a record by its name as Vitally answers it: `id`, `externalId`, `email`, ... */
export function valueOf(r: VitallyRecord, field: string): unknown {
  if (field === 'id') return r.id;
  if (field === 'externalId') return r.externalId;
  return r.fields[field];
}

/** A record as messages name it: `u-1 (id 7c1e…)`. */
export function recordName(r: VitallyRecord): string {
  const ext = r.externalId !== null ? `"${r.externalId}"` : 'no externalId';
  return r.id !== null ? `${ext} (id ${r.id})` : ext;
}

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

/** The instant an ISO 8601 text stands for; else null (a text with spaces around it holds more than an instant). */
function instant(v: unknown): number | null {
  return typeof v === 'string' && ISO_START.test(v) && v.trim() === v ? (parseInstant(v)?.getTime() ?? null) : null;
}

/**
 * Whether Vitally's value (`found`) means what a row sends (`sent`): null and absent are equal; an
 * instant is equal whether written as ISO 8601 text or another zone (a date is midnight UTC), and a text
 * sent is equal to the epoch milliseconds Vitally answers for it (live workspaces answer date traits so);
 * lists are equal when their values are, in the same order; objects key by key. Nothing else of another type is equal: not a
 * number and a text holding its digits, not a number sent and a text Vitally holds, not epoch seconds
 * (Vitally reads an epoch number as milliseconds, so seconds are another instant in 1970).
 */
export function sameValue(sent: unknown, found: unknown): boolean {
  if (sent === undefined || sent === null || found === undefined || found === null) return (sent ?? null) === (found ?? null);
  if (Object.is(sent, found)) return true;
  if (typeof sent !== typeof found && (typeof sent === 'number' || typeof found === 'number')) {
    // Only a date sent as text and answered as epoch milliseconds may differ in type and be the same value.
    const x = instant(sent);
    return x !== null && x === found;
  }
  if (typeof sent === 'string' && typeof found === 'string') {
    const x = instant(sent);
    return x !== null && x === instant(found);
  }
  if (Array.isArray(sent) || Array.isArray(found)) {
    // Vitally keeps a list in the order sent: the same values in another order are another list.
    if (!Array.isArray(sent) || !Array.isArray(found) || sent.length !== found.length) return false;
    return sent.every((x, i) => sameValue(x, found[i]));
  }
  if (isObject(sent) && isObject(found)) {
    const keys = new Set([...Object.keys(sent), ...Object.keys(found)]);
    for (const k of keys) if (!sameValue(sent[k], found[k])) return false;
    return true;
  }
  return false;
}

/** A value a record holds that differs from the one sent: `name`, `traits.mrr`, `accounts`. */
export interface Difference {
  field: string;
  /** What the record holds once the row is written (a link list: the links it will have). */
  sent: unknown;
  /** What it holds now. */
  found: unknown;
}

/** A link a row sends: by Vitally's id, by the customer's id (externalId), or both. */
export interface WantedLink {
  id?: string | undefined;
  externalId?: string | undefined;
}

/** The link lists of a record in normal form. */
export type LinkList = 'accounts' | 'organizations';

/** What a row sends, as compared with a record: standard fields, the traits sent, links. */
export interface Expected {
  fields?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  /** Vitally ids of the accounts and organizations the record must be linked to. */
  accountIds?: string[];
  organizationIds?: string[];
  /** Links named by the customer's ids (or both ids): a record's link matches by either. */
  accounts?: WantedLink[];
  organizations?: WantedLink[];
  /**
   * The lists whose links must be exactly those sent (a write that replaces them: an account's one
   * organization, a user's links with --links replace). In the others the record must have the links
   * sent, and may have more (links made by other sources).
   */
  exact?: LinkList[];
}

/** Fields of a request body (or a mapped record) that are links, and the list of the normal form holding them. */
export const LINK_FIELDS: Readonly<Record<string, { list: LinkList; many: boolean }>> = {
  accountIds: { list: 'accounts', many: true },
  organizationIds: { list: 'organizations', many: true },
  organizationId: { list: 'organizations', many: false },
};

const matches = (w: WantedLink, l: RecordLink): boolean =>
  (w.id !== undefined && w.id === l.id) || (w.externalId !== undefined && w.externalId === l.externalId);

/** A link as a difference shows it: the customer's id when known, else Vitally's. */
const shown = (l: WantedLink | RecordLink): string => l.externalId ?? l.id ?? '';

/**
 * How a record differs from what a row sends: each standard field sent, each trait sent (only those: a
 * record's other traits are not the row's business), and each link list the row names: a link sent
 * that the record lacks, or (in an exact list) one it has that was not sent.
 */
export function differences(expected: Expected, found: VitallyRecord): Difference[] {
  const out: Difference[] = [];
  for (const [k, v] of Object.entries(expected.fields ?? {})) {
    if (!sameValue(v, found.fields[k])) out.push({ field: k, sent: v, found: found.fields[k] ?? null });
  }
  for (const [k, v] of Object.entries(expected.traits ?? {})) {
    if (!sameValue(v, found.traits[k])) out.push({ field: `traits.${k}`, sent: v, found: found.traits[k] ?? null });
  }
  const links = (list: LinkList, ids: string[] | undefined, named: WantedLink[] | undefined) => {
    if (ids === undefined && named === undefined) return;
    const wanted = [...(ids ?? []).map((id) => ({ id })), ...(named ?? [])];
    const have = found[list];
    const missing = wanted.filter((w) => !have.some((l) => matches(w, l)));
    const exact = expected.exact?.includes(list) ?? false;
    const extra = exact ? have.filter((l) => !wanted.some((w) => matches(w, l))) : [];
    if (missing.length === 0 && extra.length === 0) return;
    const after = exact ? wanted.map(shown) : [...have.map(shown), ...missing.map(shown)];
    out.push({ field: list, sent: after, found: have.map(shown) });
  };
  links('accounts', expected.accountIds, expected.accounts);
  links('organizations', expected.organizationIds, expected.organizations);
  return out;
}
