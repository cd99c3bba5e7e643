/**
 * External id resolution: the customer's ids (accountExternalId, userExternalId, ...) and team members'
 * emails -> Vitally's ids. Each distinct value is looked up once per run; concurrent rows asking for the
 * same one share the request. A kind Vitally cannot look up by the value (a conversation's externalId)
 * is found in its list, read once a run as far as needed (listing.ts). An optional cache (the state
 * store) keeps answers across runs.
 */
import { ApiError, type RowError } from '../errors.js';
import { lookupField, lookupRequest, unresolved, type ObjectSpec, type RefObject, type Refs } from '../objects/index.js';
import type { IdFor } from '../plan/refs.js';
import type { IdCache } from '../types.js';
import { confirmsLookup } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';
import { ListedIds } from './listing.js';
// What a look-up's answer holds is read by records.ts, the one place that knows record shapes.
import { idInAnswer } from './records.js';

export class Resolver {
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly lists = new Map<RefObject, ListedIds>();
  lookups = 0;

  constructor(
    private readonly sender: Sender,
    private readonly cache?: IdCache,
  ) {}

  /**
   * The Vitally ids of one row's references, looked up in turn: a function giving each value's id, or
   * the error that fails the row when Vitally has no record for one of them.
   */
  async idsFor(spec: ObjectSpec, refs: Refs): Promise<IdFor | RowError> {
    const ids = new Map<string, string>();
    for (const [column, values] of Object.entries(refs)) {
      const object = spec.refs[column]!.object;
      for (const v of values) {
        const id = await this.resolve(object, v);
        if (id === null) return unresolved(column, object, v);
        ids.set(`${object}\u0000${v}`, id);
      }
    }
    return (object, value) => ids.get(`${object}\u0000${value}`)!;
  }

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

  /** A record of this kind was created or found with this id (a conversation): later rows and runs know it. */
  remember(object: RefObject, value: string, id: string): void {
    this.pending.set(`${object}\u0000${value}`, Promise.resolve(id));
    this.cache?.set(object, value, id);
  }

  private async lookup(object: RefObject, value: string): Promise<string | null> {
    const how = lookupRequest(object, value);
    let id: string | null;
    if ('method' in how) {
      this.lookups++;
      try {
        const res = await this.sender.send(how, { confirm: confirmsLookup(lookupField(object), value) });
        id = idInAnswer(res.json);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    } else {
      let list = this.lists.get(object);
      if (!list) this.lists.set(object, (list = new ListedIds(this.sender, how)));
      id = await list.find(value);
    }
    if (id !== null) this.cache?.set(object, value, id);
    return id;
  }
}

/**
 * The Vitally ids a run knows for the customer's ids: those it found or was told (a listing's embedded
 * links), in memory, over the state store's across runs. The comparison and the transport share one, so
 * an id the comparison looked up is not looked up again to send the row.
 */
export class KnownIds implements IdCache {
  private readonly ids = new Map<string, string>();

  constructor(private readonly store?: IdCache) {}

  get(object: string, externalId: string): string | undefined {
    return this.ids.get(`${object}\u0000${externalId}`) ?? this.store?.get(object, externalId);
  }

  set(object: string, externalId: string, id: string): void {
    this.ids.set(`${object}\u0000${externalId}`, id);
    this.store?.set(object, externalId, id);
  }

  /** An id seen in an answer (a listed user's embedded account): kept for this run only. */
  learn(object: string, externalId: string, id: string): void {
    this.ids.set(`${object}\u0000${externalId}`, id);
  }
}
