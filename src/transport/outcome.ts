/**
 * What became of a row's requests: an outcome, which the orchestrator turns into the row's result. A
 * transport gives one per row, whether the row travelled alone or in a batch.
 */
import { ApiError, VitallySyncError, errorMessage, mayHaveApplied } from '../errors.js';
import type { PlannedRequest, RowAction, RowStatus } from '../types.js';

export interface Outcome {
  status: RowStatus;
  action: RowAction;
  id: string | null;
  httpStatus: number | null;
  error: string | null;
  /** Set on a failure whose request may still have been applied (the row stays in doubt). */
  maybeApplied?: boolean;
  /** On a dry run: the requests a real run would send for the row. */
  requests?: PlannedRequest[];
  /** A success's note: what the row asked that Vitally did not do, and how to get it done. */
  note?: string;
  /** Values the state store keeps once the row is confirmed (a user's links sent). */
  kept?: Record<string, unknown>;
  /** A success that did not apply all the row asked: not recorded as sent in full. */
  incomplete?: boolean;
}

/** A success: what was done, the Vitally id when the answer names one, the HTTP status. */
export function succeeded(action: RowAction, httpStatus: number | null, id: string | null = null): Outcome {
  return { status: 'ok', action, id, httpStatus, error: null };
}

/** A dry run's outcome: nothing sent; `requests` is what would be. */
export function planned(requests?: PlannedRequest[]): Outcome {
  const o = succeeded('planned', null);
  if (requests) o.requests = requests;
  return o;
}

/**
 * The outcome of an error. An interrupt is not a failure of the row: its request was refused unsent (a
 * row's follow-up requests are never stopped), so it is reported `skipped` / `interrupted`, stays out
 * of the rejects file, and the next run sends it.
 */
export function failed(err: unknown, action: RowAction = 'error'): Outcome {
  if (err instanceof VitallySyncError && err.code === 'INTERRUPTED')
    return { status: 'skipped', action: 'interrupted', id: null, httpStatus: null, error: errorMessage(err) };
  const attempts = err instanceof VitallySyncError && err.attempts && err.attempts > 1 ? ` (after ${err.attempts} attempts)` : '';
  const o: Outcome = { status: 'failed', action, id: null, httpStatus: err instanceof ApiError ? err.status : null, error: errorMessage(err) + attempts };
  if (mayHaveApplied(err)) o.maybeApplied = true;
  return o;
}
