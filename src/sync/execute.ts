/**
 * Carry out one row's plan through the sender and say what happened. The only place that knows what
 * a 404 or a 409 means for each mode.
 */
import { ApiError, RowError, stopsRun } from '../errors.js';
import { nounOf, type ObjectSpec } from '../objects/index.js';
import { FOUND_ID, recordPath, type RowPlan } from '../plan/plan.js';
import { failed, succeeded, type Outcome } from '../transport/outcome.js';
import type { RowAction } from '../types.js';
import { confirmsLookup, confirmsWrite } from '../vitally/confirm.js';
import type { HttpResponse } from '../vitally/http.js';
import type { Sender } from '../vitally/sender.js';
import { idInAnswer, recordInAnswer } from './resolve.js';

const idOf = (res: HttpResponse): string | null => {
  const j = res.json as { id?: unknown } | undefined;
  return j && typeof j.id === 'string' ? j.id : null;
};

const ok = (action: RowAction, res: HttpResponse): Outcome => succeeded(action, res.status, idOf(res));

/** Errors that stop the whole run (a refused token, an unknown host) are not a row's failure. */
function rethrowFatal(err: unknown): void {
  if (stopsRun(err)) throw err;
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
}

export async function execute(sender: Sender, spec: ObjectSpec, plan: RowPlan, opts: ExecuteOptions = {}): Promise<Outcome> {
  // A 2xx answer counts only when its body is the record sent (its key, where it shows one).
  const confirm = confirmsWrite(spec.key, plan.key);
  const wanted = plan.lookingFor;
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
  let first = plan.first;
  let confirmFirst = confirm;
  try {
    if (plan.lookup && wanted) {
      const id = idInAnswer((await sender.send(plan.lookup, { confirm: confirmsLookup(wanted.field, wanted.value, wanted.bareList) })).json);
      if (id === null) throw new ApiError(404, {}, '', plan.lookup.method, plan.lookup.path);
      first = { ...first, path: first.path.replace(FOUND_ID, encodeURIComponent(id)) };
      // Found by email (or by its search): the record is the one with that id, whatever externalId the row carries.
      confirmFirst = confirmsWrite('id', id);
    }
    return ok('updated', await sender.send(first, plan.lookup ? { continuation: true, confirm: confirmFirst } : { confirm }));
  } catch (err) {
    rethrowFatal(err);
    if (!is(err, 404)) return failed(err);
    if (!plan.create) {
      const by = wanted?.field === 'email' ? `email ${wanted.value}` : `externalId "${plan.key}"`;
      return {
        status: 'failed',
        action: 'not_found',
        id: null,
        httpStatus: 404,
        error: `no ${nounOf(spec)} with ${by} in Vitally (update mode never creates)`,
      };
    }
    if (plan.create instanceof RowError) return { ...failed(plan.create, 'invalid'), httpStatus: 404 };
    try {
      return ok('created', await sender.send(plan.create, { ...createOptions(sender, spec, plan.key), continuation: true, confirm }));
    } catch (createErr) {
      rethrowFatal(createErr);
      // It appeared between our PUT and POST (another writer): update it after all.
      if (!is(createErr, 409)) return failed(createErr);
      try {
        if (plan.lookup) return failed(createErr);
        return ok('updated', await sender.send(plan.first, { continuation: true, confirm }));
      } catch (again) {
        rethrowFatal(again);
        return failed(again);
      }
    }
  }
}
