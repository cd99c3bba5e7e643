/** Mirroring deletions (--delete-missing): one record that left the source, deleted through REST. */
import { ApiError, stopsRun, type VitallySyncError } from '../errors.js';
import type { ObjectSpec } from '../objects/define.js';
import { recordPath } from '../plan/plan.js';
import type { RunState } from '../state/run-state.js';
import type { RowResult } from '../types.js';
import { confirmsDelete } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';
import { failed } from './execute.js';

/**
 * Delete one record (by its Vitally id when known, else by externalId) and forget it in the store. A
 * record already gone (404) counts as deleted. Without a sender (a dry run) the request is only planned.
 * Reported with row 0: it comes from no input row.
 */
export async function deleteMissing(
  spec: ObjectSpec,
  m: { key: string; vitallyId: string | null },
  sender: Sender | undefined,
  state: RunState,
  onFatal: (err: VitallySyncError) => void,
): Promise<RowResult> {
  const req = { method: 'DELETE' as const, path: recordPath(spec, m.vitallyId ?? m.key) };
  const base = { row: 0, key: m.key, id: m.vitallyId };
  if (!sender) return { ...base, status: 'ok', action: 'planned', httpStatus: null, error: null, requests: [req] };
  try {
    const res = await sender.send(req, { confirm: confirmsDelete(spec.key, m.key, m.vitallyId) });
    state.forget(m.key);
    return { ...base, status: 'ok', action: 'deleted', httpStatus: res.status, error: null };
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      state.forget(m.key);
      return { ...base, status: 'ok', action: 'deleted', httpStatus: 404, error: null };
    }
    if (stopsRun(err)) onFatal(err);
    return { ...base, ...failed(err) };
  }
}
