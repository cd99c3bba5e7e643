/**
 * Mirroring deletions (--delete-missing): the records this store synced from the same source that are
 * absent from the input are deleted through REST, after the last row, within the run's limits.
 */
import { ApiError, ConfigError, stopsRun } from '../errors.js';
import { pluralOf, recordPath, type ObjectSpec } from '../objects/index.js';
import type { RunState } from '../state/run-state.js';
import { failed } from '../transport/outcome.js';
import type { DeleteLimits, FollowUp, TransportContext } from '../transport/transport.js';
import type { RowResult } from '../types.js';
import { FOUND_ID } from '../plan/plan.js';
import { confirmsDelete, confirmsLookup } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';
import { idInAnswer } from './records.js';

/**
 * --delete-missing as work after the last row. It runs only on an input read whole that held rows (the
 * run checks that first). The records that left the input are deleted unless they are more than
 * `max`, or more than `maxShare` percent of the records this store holds as synced from the input
 * (those read this run among them): then the run stops with both numbers and nothing is deleted, the
 * guard against a truncated export.
 */
export function deletions(ctx: TransportContext, limits: DeleteLimits): FollowUp {
  return {
    flag: '--delete-missing',
    needs: 'it knows what was synced before',
    nothing: 'nothing was deleted',
    start: (state, warn) => {
      if (state.earlier === 0) {
        warn(nothingEarlier(ctx.spec.name, state.source));
        return [];
      }
      const missing = state.missing();
      if (missing.length === 0) return [];
      const scope = Math.max(state.fromSource(), missing.length);
      const share = (missing.length / scope) * 100;
      const over = [
        ...(missing.length > limits.max ? [`--max-deletes ${limits.max}`] : []),
        ...(share > limits.maxShare ? [`--max-delete-share ${limits.maxShare}%`] : []),
      ];
      if (over.length > 0) {
        const shown = share < 1 ? share.toFixed(2) : String(Math.round(share));
        return new ConfigError(
          `--delete-missing would delete ${missing.length} of the ${scope} ${pluralOf(ctx.spec)} synced from this input (${shown}%), more than ${over.join(' and ')}: ` +
            `nothing was deleted. Check the input is complete, or raise ${over.map((o) => o.split(' ')[0]).join(' and ')}`,
        );
      }
      return missing.map((m) => deleteOne(ctx.spec, m, ctx.sender, state, (err) => ctx.onFatal(err)));
    },
  };
}

/**
 * Why --delete-missing deleted nothing when the store held no record of this source from before the
 * run: its first run, or (a file named by its path) an input under a new name, as dated exports are.
 */
function nothingEarlier(object: string, source: string): string {
  const first = `--delete-missing: nothing could be deleted: the state store holds no ${object}s synced`;
  if (source.startsWith('scope:')) {
    return `${first} under the scope "${source.slice(6)}" before this run (its first run under that name); the next runs delete what leaves the input`;
  }
  return (
    `${first} from ${source} before this run. Records are matched to the input they came from, by its path: ` +
    "when each export has a new name (accounts-2026-11-29.csv), give every run the same --scope <name> (run uses the sync's name)"
  );
}

/**
 * Delete one record (by its Vitally id when known, else by externalId) and forget it in the store. A
 * record already gone (404) counts as deleted. Without a sender (a dry run) the request is only planned.
 * Reported with row 0: it comes from no input row.
 */
async function deleteOne(
  spec: ObjectSpec,
  m: { key: string; vitallyId: string | null },
  sender: Sender | undefined,
  state: RunState,
  onFatal: TransportContext['onFatal'],
): Promise<RowResult> {
  const base = { row: 0, key: m.key, id: m.vitallyId };
  // A record addressed by Vitally's id alone (spec.locate) is found by its search when its id is not known.
  const planned = { method: 'DELETE' as const, path: recordPath(spec, m.vitallyId ?? (spec.locate ? FOUND_ID : m.key)) };
  if (!sender) return { ...base, status: 'ok', action: 'planned', httpStatus: null, error: null, requests: [planned] };
  // The store failed since the deletions were decided: what is deleted could no longer be forgotten.
  if (state.failure)
    return { ...base, status: 'skipped', action: 'interrupted', httpStatus: null, error: 'not deleted: the run stopped (the state store failed)' };
  try {
    let req = planned;
    if (m.vitallyId === null && spec.locate) {
      const found = idInAnswer((await sender.send(spec.locate(m.key), { confirm: confirmsLookup(spec.key, m.key, true) })).json);
      if (found === null) throw new ApiError(404, {}, '', 'GET', spec.locate(m.key).path);
      req = { ...planned, path: recordPath(spec, found) };
    }
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
