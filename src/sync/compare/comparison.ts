/**
 * The comparison seam: what a row is compared with before it is sent, to skip the rows that would change
 * nothing and to send the others the cheapest way.
 *
 * - `state`: the state store's record of what this tool last sent for the key (a hash); no request.
 * - `vitally`: a listing of the workspace, read once before the first row (100 records a request): a
 *   row is skipped when every field, trait and link it sends already has that value in Vitally; a
 *   record Vitally has is updated (PUT), one it lacks is created at once (POST, no PUT answered 404).
 * - `none`: every row is sent.
 *
 * The orchestrator asks the run's comparison for a verdict on each row and never knows which one runs.
 * The registry is COMPARISONS below; `diff` is a dry run that compares with Vitally.
 */
import type { MappedRecord, Refs } from '../../objects/index.js';
import type { LastSent } from '../../state/run-state.js';
import type { Outcome } from '../../transport/outcome.js';
import type { Found } from '../../transport/transport.js';
import type { CompareSummary, RowChange } from '../../types.js';

export type CompareWith = 'state' | 'vitally' | 'none';
export const COMPARE_NAMES: readonly CompareWith[] = ['state', 'vitally', 'none'];

/** A row as it is compared: mapped (defaults filled), its reference values not yet looked up. */
export interface Candidate {
  key: string;
  record: MappedRecord;
  refs: Refs;
  /** The hash of what decides its requests, as the state store records it ('' without a store). */
  hash: string;
  /** What the state store says was last sent for the key. */
  last: LastSent | undefined;
}

export type Verdict =
  /**
   * Nothing to send: skipped as unchanged. `seen`: Vitally was seen holding these values (a listing), so
   * the state store records the row as sent and confirmed.
   */
  | { kind: 'unchanged'; id: string | null; note?: string; seen: boolean }
  /** The row fails before anything is sent (a reference Vitally has no record for). */
  | { kind: 'fail'; outcome: Outcome }
  /**
   * Send it. `found`: what Vitally holds of the record (null: nothing), when the comparison looked;
   * `change`: what it would change there (kept for a dry run).
   */
  | { kind: 'send'; found?: Found | null; change?: RowChange };

export const SEND: Verdict = { kind: 'send' };

export interface Comparison {
  readonly name: CompareWith;
  /** The verdict on one row; synchronous unless it must look something up first. */
  judge(c: Candidate): Verdict | Promise<Verdict>;
  /** What it read, for the run's summary (without `chosen`). */
  summary?(): Omit<CompareSummary, 'with' | 'chosen'>;
  /** Release what it holds (a listing's scratch space). */
  close?(): void;
}

/** `--compare state`: skip a row whose hash is the one last sent for its key. */
export const stateComparison: Comparison = {
  name: 'state',
  judge: ({ last, hash }) => {
    if (last === undefined || last.hash !== hash) return SEND;
    // The Analytics API never said whether it landed: the skip must not pass for a confirmation.
    const note = last.confirmed ? undefined : 'accepted by an earlier run, never confirmed (--compare vitally checks it in Vitally; --full sends it again)';
    return { kind: 'unchanged', id: last.vitallyId, seen: false, ...(note ? { note } : {}) };
  },
};

/**
 * `--compare state` with --verify: a row an earlier run only had accepted (never confirmed) is sent again,
 * so that this run looks for it in Vitally; the others as `--compare state`.
 */
export const stateComparisonVerified: Comparison = {
  name: 'state',
  judge: (c) => (c.last !== undefined && !c.last.confirmed ? SEND : stateComparison.judge(c)),
};

/** `--compare none`: every row is sent. */
export const noComparison: Comparison = { name: 'none', judge: () => SEND };

/** Rows read ahead before choosing by itself to compare with Vitally: a smaller input is not worth a listing. */
export const AUTO_MIN_ROWS = 1000;
/** Records of the workspace a chosen listing may read per input row before it gives up (half a request a row). */
export const AUTO_RECORDS_PER_ROW = 50;

export interface AutoFacts {
  /** The object type can be listed, rows are matched by externalId, the mode may update (upsert, update). */
  listable: boolean;
  /** A REST connection to read with (not a dry run). */
  canRead: boolean;
  /** A state store is used, and whether it holds any record of this object type at this destination. */
  store: 'none' | 'empty' | 'knows';
  /** Records read ahead, and whether that was the whole input. */
  readAhead: number;
  inputEnded: boolean;
}

/**
 * The comparison a run uses when none is given:
 * - `state` when the state store knows records of this type at this destination (it skips what it sent);
 * - `vitally` when the store knows nothing of them (or there is no store), the type can be listed, and
 *   the input holds at least AUTO_MIN_ROWS rows: a first load then costs one request a row instead of
 *   two, a re-run without the store about one per 100 records instead of one a row;
 * - else `state` with a store (it sends every row it does not know), `none` without.
 */
export function chooseComparison(f: AutoFacts): { with: CompareWith; why: string } {
  const fallback: CompareWith = f.store === 'none' ? 'none' : 'state';
  if (f.store === 'knows') return { with: 'state', why: 'the state store knows these records' };
  const unknown = f.store === 'none' ? 'without a state store' : 'the state store knows none of these records';
  if (!f.listable) return { with: fallback, why: `${unknown}; this type is not compared with Vitally by itself` };
  if (!f.canRead) return { with: fallback, why: `${unknown}; no REST connection to list Vitally's records with` };
  if (f.inputEnded && f.readAhead < AUTO_MIN_ROWS) return { with: fallback, why: `${unknown}; the input holds fewer than ${AUTO_MIN_ROWS} rows` };
  return { with: 'vitally', why: `${unknown} and the input holds ${f.inputEnded ? f.readAhead : `at least ${f.readAhead}`} rows` };
}
