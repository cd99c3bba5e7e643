/**
 * External id resolution: the customer's ids (accountExternalId, userExternalId, ...) and team members'
 * emails -> Vitally's ids. Each distinct value is looked up once per run; concurrent rows asking for the
 * same one share the request. An optional cache (the state store) keeps answers across runs.
 */
import { ApiError, RowError } from '../errors.js';
import type { MappedRecord, ObjectSpec, RefObject } from '../objects/define.js';
import { objectByName } from '../objects/index.js';
import { recordPath } from '../plan/plan.js';
import type { IdCache, PlannedRequest } from '../types.js';
import { confirmsLookup } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';


/** The request that finds a record of this kind by the customer's value. */
export function lookupRequest(object: RefObject, value: string): PlannedRequest {
  if (object === 'admin') return { method: 'GET', path: `/resources/admins/search?email=${encodeURIComponent(value)}` };
  return { method: 'GET', path: recordPath(objectByName(object), value) };
}

/** The Vitally id in a look-up's answer: a record, or a search's {results: [...]}. */
export function idInAnswer(json: unknown): string | null {
  const j = json as { id?: unknown; results?: Array<{ id?: unknown }> } | undefined;
  if (typeof j?.id === 'string') return j.id;
  const first = Array.isArray(j?.results) ? j.results[0] : undefined;
  return typeof first?.id === 'string' ? first.id : null;
}

export class Resolver {
  private readonly pending = new Map<string, Promise<string | null>>();
  lookups = 0;

  constructor(
    private readonly sender: Sender,
    private readonly cache?: IdCache,
  ) {}

  /** The Vitally id of the record this value names, or null when Vitally has none. */
  resolve(object: RefObject, value: string): Promise<string | null> {
    const known = this.cache?.get(object, value);
    if (known) return Promise.resolve(known);
    const k = `${object}\u0000${value}`;
    let p = this.pending.get(k);
    if (!p) {
      p = this.lookup(object, value);
      this.pending.set(k, p);
      // A failed look-up (network, 5xx after retries) is not remembered: a later row may try again.
      p.catch(() => this.pending.delete(k));
    }
    return p;
  }

  private async lookup(object: RefObject, value: string): Promise<string | null> {
    this.lookups++;
    try {
      const field = object === 'admin' ? 'email' : objectByName(object).key;
      const res = await this.sender.send(lookupRequest(object, value), { confirm: confirmsLookup(field, value) });
      const id = idInAnswer(res.json);
      if (id !== null) this.cache?.set(object, value, id);
      return id;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }
}

export const placeholder = (object: string, value: string): string => `{{${object}:${value}}}`;

/** Fail a row whose reference resolves to nothing, naming the value and the object. */
export function unresolved(column: string, object: RefObject, value: string): RowError {
  const what = object === 'admin' ? 'team member (admin) with this email' : `${object} with this externalId`;
  return new RowError('ROW_UNRESOLVED', `${column} "${value}": no ${what} in Vitally`, column);
}

/** Put resolved ids (or dry-run placeholders) into the reference fields of a record. */
export function substitute(
  spec: ObjectSpec,
  record: MappedRecord,
  refs: Record<string, string[]>,
  idFor: (object: string, externalId: string) => string,
): MappedRecord {
  if (Object.keys(refs).length === 0) return record;
  const out: MappedRecord = { ...record };
  for (const [column, values] of Object.entries(refs)) {
    const ref = spec.refs[column]!;
    const ids = values.map((v) => idFor(ref.object, v));
    if (ref.many) out[ref.target] = [...((out[ref.target] as string[] | undefined) ?? []), ...ids];
    else out[ref.target] = ids[0];
  }
  return out;
}
