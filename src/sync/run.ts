/**
 * The orchestrator: wires source -> map -> validate -> plan -> resolve ids -> send -> report for one
 * run, and yields the results in input order, in batches (one per input chunk, or fewer rows when it must
 * wait for a request): one step per batch, not per row. It knows nothing of the terminal.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, VitallySyncError, errorMessage, stopsRun } from '../errors.js';
import type { MapperOptions } from '../mapping/mapper.js';
import type { Mode, ObjectSpec } from '../objects/define.js';
import { plannedRequests, planRow, type MatchBy } from '../plan/plan.js';
import type { RunState } from '../state/run-state.js';
import { Batcher, MAX_BATCH } from '../analytics/batcher.js';
import { unlinkMessage, type Message } from '../analytics/messages.js';
import { readRecordBatches, type SourceOptions } from '../source/index.js';
import type { RowResult, SourceRecord, Summary } from '../types.js';
import type { Sender } from '../vitally/sender.js';
import { execute, failed, type Outcome } from './execute.js';
import { OrderedWindow } from './ordered.js';
import { deleteMissing } from './mirror.js';
import { finish, isPrepared, RowPreparer, type Prepared } from './prepare.js';
import { Resolver, substitute, unresolved } from './resolve.js';
import { Tally } from './tally.js';

export interface SyncConfig {
  spec: ObjectSpec;
  mode: Mode;
  source: SourceOptions;
  mapper: MapperOptions;
  dryRun: boolean;
  /** Rows held at once (in flight or waiting for an earlier row): bounds memory. */
  window: number;
  /** How keyed records are found: by externalId (default) or, for users, by email. */
  match?: MatchBy;
  /** rest (default): one request a record; analytics: messages packed into /batch requests. */
  via?: 'rest' | 'analytics';
  batchSize?: number;
  /** Values set on every row, over its columns (--event). */
  constants?: Record<string, unknown>;
  /** users --via analytics: send /unlink for account links that left the input (needs the state store). */
  unlinkRemoved?: boolean;
  /** Delete the records this store synced from the same source that are absent from the input. */
  deleteMissing?: { max: number };
}

export interface SyncDeps {
  /** Absent on a dry run: nothing is sent. */
  sender?: Sender;
  resolver?: Resolver;
  signal?: AbortSignal;
  /** The state store's view of this run: skip unchanged rows, journal, remember what was sent. */
  state?: RunState;
  /** Records read, passed on as they are read (for progress). */
  onRead?: (row: number) => void;
}

/** Thrown out of the run when it must stop at once (bad token, unreachable host). */
export class RunStopped extends Error {
  constructor(
    readonly reason: VitallySyncError,
    readonly summary: Summary,
  ) {
    super(reason.message);
  }
}

export async function* runSync(cfg: SyncConfig, deps: SyncDeps): AsyncGenerator<RowResult[], Summary> {
  const tally = new Tally(() => deps.sender?.stats);
  const win = new OrderedWindow<RowResult>(cfg.window);
  const resolver = deps.resolver ?? (deps.sender ? new Resolver(deps.sender) : undefined);
  let fatal: VitallySyncError | undefined;
  const state = deps.state;
  const viaAnalytics = cfg.via === 'analytics';
  /** Part of object messages' ids: the same values sent by a later run are not taken for a repeat. */
  const runId = randomUUID();
  const preparer = new RowPreparer(cfg, state, runId);
  const batcher = viaAnalytics
    ? new Batcher(deps.sender ? (req) => deps.sender!.send(req) : null, cfg.batchSize ?? MAX_BATCH, (err) => {
        fatal ??= err;
      })
    : undefined;

  const send = async (p: Prepared): Promise<RowResult> => {
    const sender = deps.sender!;
    const doubt = p.key !== null && state ? state.inDoubt(p.key) : false;
    if (p.key !== null) state?.begin(p.key, p.hash);
    const r = p.messages ? await sendBatched(p.messages, p) : await sendPlanned(sender, p, doubt);
    if (p.key !== null && state) {
      if (r.status === 'ok' && p.messages && cfg.spec.name === 'user') state.linksSent(p.key, p.refs.accountExternalId ?? []);
      if (r.status === 'ok') state.confirm(p.key, p.hash, r.id);
      // A timeout, a lost connection or a 5xx after every retry may still have been applied: the row stays
      // in doubt (journalled), and the next run checks before creating it again.
      else if (!r.maybeApplied) state.abandon(p.key);
    }
    return r;
  };

  /** Analytics messages carry stable messageIds: a row in doubt is simply sent again. */
  const sendBatched = async (messages: Message[], p: Prepared): Promise<RowResult> => {
    const { outcome, request } = await batcher!.submit(messages);
    return finish(p.src, p.key, outcome, request ? { requests: [request] } : {});
  };

  const sendPlanned = async (sender: Sender, p: Prepared, inDoubt: boolean): Promise<RowResult> => {
    try {
      let plan = p.plan!;
      if (Object.keys(p.refs).length > 0) {
        const ids = new Map<string, string>();
        for (const [column, values] of Object.entries(p.refs)) {
          const object = cfg.spec.refs[column]!.object;
          for (const v of values) {
            const id = await resolver!.resolve(object, v);
            if (id === null) return finish(p.src, p.key, failed(unresolved(column, object, v), 'invalid'));
            ids.set(`${object}:${v}`, id);
          }
        }
        plan = planRow(cfg.spec, cfg.mode, substitute(cfg.spec, p.record, p.refs, (o, v) => ids.get(`${o}:${v}`)!), cfg.match);
      }
      return finish(p.src, p.key, await execute(sender, cfg.spec, plan, { verifyFirst: inDoubt }));
    } catch (err) {
      if (stopsRun(err)) fatal ??= err;
      return finish(p.src, p.key, failed(err));
    }
  };

  const handle = (src: SourceRecord): Promise<RowResult> | RowResult => {
    const p = preparer.prepare(src);
    if (!isPrepared(p)) return p;
    if (p.messages) return cfg.dryRun ? sendBatched(p.messages, p) : send(p);
    if (cfg.dryRun) return finish(src, p.key, PLANNED, { requests: plannedRequests(p.plan!) });
    return send(p);
  };

  /** Results not yet handed out: yielded at the end of each input batch, and before any wait. */
  let out: RowResult[] = [];
  const take = (): RowResult[] => {
    const done = out;
    out = [];
    return done;
  };
  try {
    // Records come in batches (one await per input chunk); each is handled in turn, and the window still
    // makes reading wait when it is full.
    reading: for await (const batch of readRecordBatches({ ...cfg.source, ...(deps.signal ? { signal: deps.signal } : {}) })) {
      for (const src of batch) {
        if (fatal || deps.signal?.aborted) break reading;
        deps.onRead?.(src.row);
        if (src.fatal) tally.readError = true;
        const r = handle(src);
        if (!(r instanceof Promise) && win.size === 0) {
          // Settled at once (a dry run, a row that failed before sending) with nothing ahead of it.
          out.push(tally.add(r));
          continue;
        }
        win.push(Promise.resolve(r));
        for (const done of win.ready()) out.push(tally.add(done));
        if (win.full) batcher?.flush(); // about to wait: the head may sit in a batch still filling
        if (win.full && !fatal && out.length > 0) yield take();
        while (win.full && !fatal) yield [tally.add((await win.next())!)];
      }
      if (out.length > 0) yield take();
    }
    if (out.length > 0) yield take();
    batcher?.flush();
    while (win.size > 0) {
      const r = (await win.next())!;
      if (fatal) continue; // rows failed by the stop are not reported one by one
      yield [tally.add(r)];
    }
    const why = tally.readError ? 'the input was not read to its end' : deps.signal?.aborted ? 'the run was interrupted' : preparer.unsafeToDelete;
    if (cfg.unlinkRemoved && !fatal) {
      if (!state) tally.warn('--unlink-removed needs the state store (it knows which links were sent): nothing was unlinked');
      else if (why) tally.warn(`--unlink-removed: nothing was unlinked because ${why}`);
      else {
        for (const l of state.removedLinks()) win.push(unlinkOne(l.userId, l.accountId));
        batcher?.flush();
        while (win.size > 0) yield [tally.add((await win.next())!)];
      }
    }
    if (cfg.deleteMissing && !fatal) {
      if (!state) tally.warn('--delete-missing needs the state store (it knows what was synced before): nothing was deleted');
      else if (why) tally.warn(`--delete-missing: nothing was deleted because ${why}`);
      else {
        const missing = state.missing();
        if (missing.length > cfg.deleteMissing.max) {
          fatal = new ConfigError(
            `--delete-missing would delete ${missing.length} ${cfg.spec.name}s, more than --max-deletes ${cfg.deleteMissing.max}: nothing was deleted. Check the input is complete, or raise --max-deletes`,
          );
        } else {
          const sender = cfg.dryRun ? undefined : deps.sender;
          const onFatal = (err: VitallySyncError) => {
            fatal ??= err;
          };
          for (const m of missing) win.push(deleteMissing(cfg.spec, m, sender, state, onFatal));
          while (win.size > 0) yield [tally.add((await win.next())!)];
        }
      }
    }
  } catch (err) {
    // The run cannot go on (the input became unreadable, --strict-traits met an unknown key on stdin, a
    // bug): the results so far stand, the summary says how far it got, and the store records the stop.
    // Rows already on their way finish and are reported: nothing is left in flight, unreported.
    batcher?.flush();
    while (win.size > 0) out.push(tally.add((await win.next())!));
    if (out.length > 0) yield take();
    const summary = tally.summary(Boolean(deps.signal?.aborted));
    state?.finish('stopped', summary);
    if (err instanceof VitallySyncError) throw new RunStopped(err, summary);
    throw new Error(`internal: ${errorMessage(err)}`, { cause: err });
  }
  if (tally.rowsRead > 0) {
    for (const source of preparer.unmatchedSources()) tally.warn(`--map ${source}: no record has a column "${source}", so it was not used`);
  }
  const summary = tally.summary(Boolean(deps.signal?.aborted));
  state?.finish(fatal ? 'stopped' : summary.interrupted ? 'interrupted' : 'done', summary);
  if (fatal) throw new RunStopped(fatal, summary);
  return summary;

  /** Unlink a user from an account its row no longer names (Analytics /unlink, in a batch). */
  async function unlinkOne(userId: string, accountId: string): Promise<RowResult> {
    const { outcome, request } = await batcher!.submit([unlinkMessage(userId, accountId, runId)]);
    if (outcome.status === 'ok' && !cfg.dryRun) state!.forgetLink(userId, accountId);
    const action = outcome.status === 'ok' && !cfg.dryRun ? 'unlinked' : outcome.action;
    return { row: 0, key: `${userId}|${accountId}`, ...outcome, action, ...(request ? { requests: [request] } : {}) };
  }

}

const PLANNED: Outcome = { status: 'ok', action: 'planned', id: null, httpStatus: null, error: null };

