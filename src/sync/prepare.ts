/**
 * Preparing one source record: map, identify, validate and plan it, catch a key seen earlier in the
 * file, and skip what the state store says is unchanged. What comes out is a row to send (Prepared) or
 * its result at once (a failure, a skip). Synchronous and free of I/O.
 */
import { RowError } from '../errors.js';
import { Mapper } from '../mapping/mapper.js';
import type { MappedRecord } from '../objects/define.js';
import { contentHash, withDefaults, withIdentity } from '../plan/identity.js';
import { planRow, type RowPlan } from '../plan/plan.js';
import type { RunState } from '../state/run-state.js';
import { MAX_BATCH } from '../analytics/batcher.js';
import { planMessages, type Message } from '../analytics/messages.js';
import type { RowResult, SourceRecord } from '../types.js';
import { failed, type Outcome } from './execute.js';
import { KeySet } from './keyset.js';
import { placeholder, substitute } from './resolve.js';
import type { SyncConfig } from './run.js';

export interface Prepared {
  src: SourceRecord;
  key: string | null;
  hash: string;
  plan?: RowPlan;
  /** Analytics messages, when the row travels in a batch. */
  messages?: Message[];
  record: MappedRecord;
  refs: Record<string, string[]>;
}

export const isPrepared = (p: Prepared | RowResult): p is Prepared => 'hash' in p;

/** A row's result from its source record and an outcome; a failed one carries what was read (for --rejects). */
export function finish(src: SourceRecord, key: string | null, o: Outcome, extra?: Partial<RowResult>): RowResult {
  // Built field by field (one result a row: spreads cost more than the rest of a dry-run row's result).
  const r: RowResult = { row: src.row, line: src.line, key, status: o.status, action: o.action, id: o.id, httpStatus: o.httpStatus, error: o.error };
  if (o.maybeApplied !== undefined) r.maybeApplied = o.maybeApplied;
  if (extra) Object.assign(r, extra);
  if (r.status === 'failed') {
    r.source = src.data;
    r.raw = src.raw;
  }
  return r;
}

export class RowPreparer {
  private readonly mapper: Mapper;
  private readonly seen = new KeySet();
  private readonly viaAnalytics: boolean;
  /** Why deletions must not be mirrored this run (a row whose key could not be read, ...). */
  unsafeToDelete: string | undefined;

  constructor(
    private readonly cfg: SyncConfig,
    private readonly state: RunState | undefined,
    /** The run's id, part of object messages' ids (see runSync). */
    private readonly runId: string,
  ) {
    this.mapper = new Mapper(cfg.spec, cfg.mapper);
    this.viaAnalytics = cfg.via === 'analytics';
  }

  /** The --map / --mapping sources no record held. */
  unmatchedSources(): string[] {
    return this.mapper.unmatchedSources();
  }

  /** The row to send, or its result at once (unreadable, invalid, a duplicate, unchanged since the last run). */
  prepare(src: SourceRecord): Prepared | RowResult {
    const { cfg, state } = this;
    if (src.error) {
      this.unsafeToDelete ??= `row ${src.row} (line ${src.line}) could not be read`;
      return finish(src, null, failed(src.error, 'invalid'));
    }
    let key: string | null = null;
    try {
      const mapped = this.mapper.map(src.data ?? {});
      const ownKey = mapped.record[cfg.spec.key] !== undefined;
      if (cfg.constants) Object.assign(mapped.record, cfg.constants);
      const refs = mapped.refs;
      const record = withDefaults(cfg.spec, withIdentity(cfg.spec, mapped.record, refs));
      const k = record[cfg.spec.key];
      key = typeof k === 'string' && k !== '' ? k : null;
      if (key !== null) state?.seen(key);
      // References are validated with placeholders, so a row that cannot be sent costs no look-up.
      const messages = this.viaAnalytics ? planMessages(cfg.spec, record, refs, this.runId) : undefined;
      if (messages && messages.length > (cfg.batchSize ?? MAX_BATCH)) {
        throw new RowError('ROW_INVALID', `${messages.length} account and organization links, more than one batch holds (--batch-size ${cfg.batchSize ?? MAX_BATCH}): send this user with --via rest`);
      }
      const plan = this.viaAnalytics
        ? undefined
        : planRow(cfg.spec, cfg.mode, substitute(cfg.spec, record, refs, (object, id) => placeholder(object, id)), cfg.match);
      if (key !== null) {
        const first = this.seen.add(key, src.row);
        if (first !== undefined && !ownKey) {
          // Same content as an earlier row, so the same derived id: it is that row, already on its way.
          return finish(src, key, { status: 'skipped', action: 'unchanged', id: null, httpStatus: null, error: `same content as row ${first}: sent once` });
        }
        if (first !== undefined) {
          throw new RowError('ROW_DUPLICATE', `duplicate ${cfg.spec.key} "${key}": already in row ${first} of this file`, cfg.spec.key);
        }
      }
      const tracksLinks = this.viaAnalytics && cfg.spec.name === 'user' && key !== null;
      if (tracksLinks) state?.linksRead(key!, refs.accountExternalId ?? []);
      // What decides the requests (before defaults such as a note's read time, and before id look-ups);
      // only needed when there is a store to compare with.
      const hash = state ? contentHash([cfg.spec.name, cfg.mode, cfg.match ?? 'externalId', mapped.record, refs]) : '';
      const last = key !== null ? state?.lastSent(key) : undefined;
      if (last && last.hash === hash) {
        return finish(src, key, { status: 'skipped', action: 'unchanged', id: last.vitallyId, httpStatus: null, error: null });
      }
      const prepared: Prepared = { src, key, hash, record, refs };
      if (plan) prepared.plan = plan;
      if (messages) prepared.messages = messages;
      return prepared;
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      if (key === null && cfg.spec.kind === 'keyed') {
        key = this.mapper.keyOf(src.data ?? {});
        if (key !== null) state?.seen(key);
      }
      if (key === null) this.unsafeToDelete ??= `row ${src.row} has no usable ${cfg.spec.key}`;
      return finish(src, key, failed(err, 'invalid'));
    }
  }
}
