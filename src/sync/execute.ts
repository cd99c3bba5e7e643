/**
 * Carry out one row's plan through the sender and say what happened. The only place that knows what
 * a 404 or a 409 means for each mode. On the way it keeps a user's other links (links.ts), leaves out a
 * `name` Vitally refuses (rename.ts), and refuses to guess between two records a search found.
 */
import { ApiError, ForbiddenError, RowError, stopsRun } from '../errors.js';
import { nounOf, pluralOf, type ObjectSpec } from '../objects/index.js';
import { FOUND_ID, recordPath, type RowPlan } from '../plan/plan.js';
import { failed, succeeded, type Outcome } from '../transport/outcome.js';
import type { Found } from '../transport/transport.js';
import type { RowAction } from '../types.js';
import { confirmsLookup, confirmsWrite } from '../vitally/confirm.js';
import type { HttpResponse } from '../vitally/http.js';
import type { Sender } from '../vitally/sender.js';
import type { LinkMerger } from './links.js';
import { readRecord, readRecords, recordInAnswer, recordName, type VitallyRecord } from './records.js';
import { nameOf, withoutName, type NamePolicy } from './rename.js';

/**
 * Errors the caller must see rather than a row's failure: those that stop the whole run (a refused
 * token, an unknown host), and a 403 on a feature's path (the caller finds out which it is).
 */
function rethrowFatal(err: unknown): void {
  if (stopsRun(err) || err instanceof ForbiddenError) throw err;
}

const is = (err: unknown, status: number): err is ApiError => err instanceof ApiError && err.status === status;

/**
 * A create keyed by the customer's id may be verified by reading the record back before a retry: by its
 * key, or by the type's search (spec.locate), whose found record is the answer.
 */
function createOptions(sender: Sender, spec: ObjectSpec, key: string | null) {
  if (spec.kind !== 'keyed' || !key) return {};
  const find = spec.locate?.(key) ?? { method: 'GET' as const, path: recordPath(spec, key) };
  return {
    verify: async (): Promise<HttpResponse | null> => {
      try {
        const res = await sender.send(find, { confirm: confirmsLookup(spec.key, key, spec.locate !== undefined) });
        const record = recordInAnswer(res.json);
        return record ? { ...res, json: record } : null;
      } catch (err) {
        if (is(err, 404)) return null;
        throw err;
      }
    },
  };
}

export interface ExecuteOptions {
  /** An earlier run may have created this record before it was killed: look before creating. */
  verifyFirst?: boolean;
  /** The run's knowledge of names Vitally refuses on PUT. */
  names?: NamePolicy | undefined;
  /** Keeps a user's other links on PUT (--links add). */
  links?: LinkMerger | undefined;
  /**
   * What a listing of the workspace showed (--compare vitally): Vitally has no record with the row's key
   * (`absent`: created at once, no PUT answered 404 first), or has this one (`found`: its id spares a
   * search; its links may spare a read of the user before a PUT).
   */
  absent?: boolean;
  found?: Found | undefined;
}

/** Not found where the row's request needs a record (a PUT's 404, a search that found nobody). */
class Absent extends Error {}

type Ok = (action: RowAction, res: HttpResponse) => Outcome;

export async function execute(sender: Sender, spec: ObjectSpec, plan: RowPlan, opts: ExecuteOptions = {}): Promise<Outcome> {
  // A 2xx answer counts only when its body is the record sent (its key, where it shows one).
  const confirm = confirmsWrite(spec.key, plan.key);
  /**
   * A success, with what the store keeps of it (the row's links) and what the row asked that Vitally did
   * not do (a name it kept). The row's own request says what it asked, whatever was finally sent.
   */
  const ok: Ok = (action, res) => {
    const o = succeeded(action, res.status, readRecord(res.json)?.id ?? null);
    const kept = plan.key !== null ? opts.links?.kept(plan.key, plan.first) : undefined;
    if (kept) o.kept = kept;
    const note = opts.names?.note(nameOf(plan.first), res.json);
    if (note) {
      o.note = note;
      o.incomplete = true;
    }
    return o;
  };
  if (plan.firstPhase === 'create') {
    try {
      // Added to a record Vitally holds (a conversation's message): an update of that record.
      if (plan.existing) {
        const res = await sender.send(plan.first, { confirm: confirmsWrite(spec.key, plan.existing.answerKey) });
        return succeeded('updated', res.status, plan.existing.id);
      }
      const create = { ...createOptions(sender, spec, plan.key), confirm };
      if (opts.verifyFirst && create.verify) {
        const found = await create.verify();
        if (found) return ok('created', found);
      }
      return ok('created', await sender.send(plan.first, create));
    } catch (err) {
      rethrowFatal(err);
      return failed(err);
    }
  }
  // The listing showed no such record: nothing to update, and no request needed to learn it.
  if (opts.absent) return createAfter(null);
  try {
    return await update(sender, spec, plan, opts, ok);
  } catch (err) {
    rethrowFatal(err);
    if (err instanceof RowError) return failed(err, 'invalid');
    if (!(err instanceof Absent) && !is(err, 404)) return failed(err);
    return createAfter(404);
  }

  /** The record is not in Vitally (a PUT answered 404, or the listing lacks it): create it, as the mode allows. */
  async function createAfter(answered: 404 | null): Promise<Outcome> {
    if (!plan.create) return notFound(spec, plan, answered);
    if (plan.create instanceof RowError) return { ...failed(plan.create, 'invalid'), httpStatus: answered };
    try {
      // After a PUT's 404 the create continues the row; chosen by the listing, it is the row's first request.
      return ok('created', await sender.send(plan.create, { ...createOptions(sender, spec, plan.key), continuation: answered !== null, confirm }));
    } catch (createErr) {
      rethrowFatal(createErr);
      // It appeared between our PUT (or the listing) and the POST (another writer): update it after all.
      if (!is(createErr, 409)) return failed(createErr);
      try {
        if (plan.lookup) return failed(createErr);
        return await update(sender, spec, { ...plan, create: undefined }, opts, ok, true);
      } catch (again) {
        rethrowFatal(again);
        return failed(again);
      }
    }
  }
}

/** A row update mode cannot send: Vitally has no such record (answered 404, or absent from a listing). */
export function notFound(spec: ObjectSpec, plan: RowPlan, answered: 404 | null): Outcome {
  const wanted = plan.lookingFor;
  const by = wanted?.field === 'email' ? `email ${wanted.value}` : `externalId "${plan.key}"`;
  return {
    status: 'failed',
    action: 'not_found',
    id: null,
    httpStatus: answered,
    error: `no ${nounOf(spec)} with ${by} in Vitally (update mode never creates)`,
  };
}

/**
 * The update phase: find the record (--match email, or the type's search), read the user's links
 * (--links add), then PUT; a PUT refused for its `name` goes again without it. Throws Absent or the 404
 * when there is no such record, a RowError when the search found several.
 */
async function update(sender: Sender, spec: ObjectSpec, plan: RowPlan, opts: ExecuteOptions, ok: Ok, continuation = false): Promise<Outcome> {
  let first = opts.names ? opts.names.first(plan.first) : plan.first;
  // The listing showed the record has this name already: a PUT without it changes the same, and Vitally
  // cannot refuse it for its name.
  if (opts.found?.unchanged?.includes('name') && first.method === 'PUT') first = withoutName(first);
  let confirm = confirmsWrite(spec.key, plan.key);
  let found: VitallyRecord | undefined;
  const wanted = plan.lookingFor;
  const listed = opts.found?.id;
  if (plan.lookup && wanted && listed && wanted.field === spec.key) {
    // The listing holds the record: its id, without the search.
    first = { ...first, path: first.path.replace(FOUND_ID, encodeURIComponent(listed)) };
    confirm = confirmsWrite('id', listed);
  } else if (plan.lookup && wanted) {
    const res = await sender.send(plan.lookup, { confirm: confirmsLookup(wanted.field, wanted.value, wanted.bareList), continuation });
    found = theOne(spec, `${wanted.field} ${wanted.value}`, res.json);
    first = { ...first, path: first.path.replace(FOUND_ID, encodeURIComponent(found.id!)) };
    // Found by email (or by its search): the record is the one with that id, whatever externalId the row carries.
    confirm = confirmsWrite('id', found.id!);
    continuation = true;
  }
  if (opts.links?.active && plan.key !== null) {
    const put = await opts.links.put(plan.key, first, found, opts.found?.links);
    if (put === null) throw new Absent();
    if (put.read) continuation = true;
    first = put.req;
  }
  try {
    return ok('updated', await sender.send(first, continuation ? { continuation, confirm } : { confirm }));
  } catch (err) {
    const again = opts.names?.retryWithout(err, first);
    if (!again) throw err;
    return ok('updated', await sender.send(again, { continuation: true, confirm }));
  }
}

/** The one record a search found; when it found several, the row fails rather than pick one. */
function theOne(spec: ObjectSpec, by: string, json: unknown): VitallyRecord {
  const found = readRecords(json).filter((r) => r.id !== null);
  if (found.length === 0) throw new Absent();
  if (found.length > 1) {
    const names = found.map(recordName);
    throw new RowError(
      'ROW_INVALID',
      `${by} matches ${found.length} ${pluralOf(spec)} in Vitally: ${names.slice(0, -1).join(', ')} and ${names.at(-1)}; not updated (match by externalId instead, or remove the duplicate in Vitally)`,
      by.split(' ')[0],
    );
  }
  return found[0]!;
}
