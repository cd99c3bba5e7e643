/**
 * The orchestrator: wires source -> map -> validate -> plan -> resolve ids -> send -> report for one
 * run, and yields the results in input order, in batches (one per input chunk, or fewer rows when it must
 * wait for a request): one step per batch, not per row. It hands each prepared row to the run's
 * transport (REST or Analytics: it does not know which) and knows nothing of the terminal.
 */
import { randomUUID } from 'node:crypto';
import { RunStopped, VitallySyncError, errorMessage } from '../errors.js';
import { Mapper, type MapperOptions } from '../mapping/mapper.js';
import { pluralOf, type Mode, type ObjectSpec } from '../objects/index.js';
import type { MatchBy } from '../plan/plan.js';
import { readRecordBatches, type SourceOptions } from '../source/index.js';
import type { RunState } from '../state/run-state.js';
import type { Outcome } from '../transport/outcome.js';
import type { DeleteLimits, Transport } from '../transport/transport.js';
import type { RowResult, SourceRecord, Summary, VerifySummary } from '../types.js';
import { DEFAULT_CONCURRENCY } from '../vitally/inflight.js';
import type { Sender } from '../vitally/sender.js';
import { begin } from './begin.js';
import type { CompareSettings, CompareStage, VerifyProgress } from './compare/index.js';
import type { LinksPolicy } from './links.js';
import { OrderedWindow } from './ordered.js';
import { dryResult, isPrepared, resultOf, RowPreparer, type Prepared } from './prepare.js';
import { KnownIds } from './resolve.js';
import { sumStats, Tally } from './tally.js';
import { transportKind, type Via } from './transports.js';

export { RunStopped };

export interface SyncConfig {
  spec: ObjectSpec;
  mode: Mode;
  source: SourceOptions;
  mapper: MapperOptions;
  dryRun: boolean;
  /** Rows on their way at once (sixteen times as many held in all, settled ones included): bounds memory. Default: the transport's. */
  window?: number;
  /** Requests in flight at most, the pacer's ceiling (sizes the default window). */
  concurrency?: number;
  /** How keyed records are found: by externalId (default) or, for users, by email. */
  match?: MatchBy;
  /** The transport: rest (default, one request a record) or analytics (messages packed into /batch requests). */
  via?: Via;
  batchSize?: number;
  /** Values set on every row, over its columns (--event). */
  constants?: Record<string, unknown>;
  /** users --via analytics: send /unlink for account links that left the input (needs the state store). */
  unlinkRemoved?: boolean;
  /** Delete the records this store synced from the same source that are absent from the input. */
  deleteMissing?: DeleteLimits;
  /** A user PUT's links: added to those the user has (default), or replacing them (--links). */
  links?: LinksPolicy;
  /** An Analytics API token is configured (renaming an account needs it). */
  analyticsToken?: boolean;
  /** Type trait columns Vitally does not type from the input's first rows (--types auto, text inputs). */
  inferTypes?: boolean;
  /**
   * Mapper options that are worth a request only once the input has shown it can be read (Vitally's
   * trait catalogue): asked after the first batch is read, before the first row is mapped.
   */
  mapperFrom?: () => Promise<Partial<MapperOptions>>;
  /** What rows are compared with before sending (default: the state store's hashes when there is a store), and --verify. */
  compare?: CompareSettings;
}

export interface SyncDeps {
  /** Absent on a dry run: nothing is sent. */
  sender?: Sender;
  signal?: AbortSignal;
  /** The state store's view of this run: skip unchanged rows, journal, remember what was sent. */
  state?: RunState;
  /** Records read, passed on as they are read (for progress). */
  onRead?: (row: number) => void;
  /**
   * Reads from Vitally's REST API for the comparison and --verify (the listing, look-ups): the REST
   * transport's own sender, or one of its own beside the Analytics API's. Used on a dry run too.
   */
  lister?: Sender;
  /** Records of the workspace listed so far (--compare vitally), after each page. */
  onListing?: (listed: number) => void;
  /** Where --verify stands, after each check. */
  onVerify?: (p: VerifyProgress) => void;
}

/** Messages per Analytics batch when the config names none. */
const DEFAULT_BATCH = 100;

export async function* runSync(cfg: SyncConfig, deps: SyncDeps): AsyncGenerator<RowResult[], Summary> {
  // Requests count whoever sent them: the transport's sender, and the reads of the comparison when apart.
  const tally = new Tally(() => sumStats(deps.sender?.stats, deps.lister && deps.lister !== deps.sender ? deps.lister.stats : undefined));
  const kind = transportKind(cfg.via ?? 'rest');
  const batchSize = cfg.batchSize ?? DEFAULT_BATCH;
  const win = new OrderedWindow<RowResult>(cfg.window ?? kind.window({ concurrency: cfg.concurrency ?? DEFAULT_CONCURRENCY, batchSize }));
  let fatal: VitallySyncError | undefined;
  const state = deps.state;
  const sender = cfg.dryRun ? undefined : deps.sender;
  // Ids the comparison finds are not looked up again by the transport.
  const ids = new KnownIds(state);
  const transport: Transport = kind.create({
    spec: cfg.spec,
    mode: cfg.mode,
    match: cfg.match ?? 'externalId',
    sender,
    state,
    ids,
    // Part of object messages' ids: the same values sent by a later run are not taken for a repeat.
    runId: randomUUID(),
    batchSize,
    inputMayPause: cfg.source.path === '-',
    deleteMissing: cfg.deleteMissing,
    unlinkRemoved: cfg.unlinkRemoved,
    links: cfg.links,
    analyticsToken: cfg.analyticsToken,
    onFatal: (err) => {
      fatal ??= err;
    },
  });
  // The mappings are checked before anything is read: a bad --map is a configuration error at once.
  new Mapper(cfg.spec, cfg.mapper);
  /** Made once the columns are typed (after the read-ahead of --types auto). */
  let preparer: RowPreparer | undefined;
  /** The comparison, started once the input's first rows are read. */
  let stage: CompareStage | undefined;
  let verified: VerifySummary | undefined;
  const complete = (summary: Summary) => withRun(summary, preparer, stage, verified);

  /** Journal the row, hand it over, and record what came of it. */
  const send = async (p: Prepared): Promise<RowResult> => {
    const inDoubt = p.key !== null && state ? state.inDoubt(p.key) : false;
    // A row the store cannot journal is not sent: the store failed, and the run is stopping.
    if (p.key !== null && state && !state.begin(p.key, p.hash)) return resultOf(p.src, p.key, NOT_SENT);
    const r = resultOf(p.src, p.key, await transport.carry({ key: p.key, refs: p.refs, plan: p.plan, inDoubt, found: p.found }));
    // --verify looks for it in Vitally after the last row (the Analytics API confirmed nothing).
    if (r.status === 'accepted' && p.key !== null)
      stage?.verifier?.wait({ key: p.key, row: p.src.row, line: p.src.line, hash: p.hash, record: p.record, refs: p.refs, data: p.src.data });
    if (p.key !== null && state) {
      const kept = p.kept || r.kept ? { ...p.kept, ...r.kept } : undefined;
      // A success that did not apply all the row asked (a name Vitally kept) is sent again by the next run.
      if (r.status === 'ok') state.confirm(p.key, r.incomplete ? null : p.hash, r.id, kept);
      // Accepted by the Analytics API, which confirms nothing per message: kept apart from confirmed rows;
      // with --verify, without its hash until it is found, so a run stopped before that leaves it to be sent again.
      else if (r.status === 'accepted') state.accept(p.key, stage?.verifier ? null : p.hash, kept);
      // A timeout, a lost connection or a 5xx after every retry may still have been applied: the row stays
      // in doubt (journalled), and the next run checks before creating it again.
      else if (!r.maybeApplied) state.abandon(p.key);
    }
    return r;
  };

  const handle = (src: SourceRecord): Promise<RowResult> | RowResult => {
    const p = preparer!.prepare(src);
    if (!isPrepared(p)) return p;
    if (p.verdict) return p.verdict.then((v) => preparer!.settle(p, v) ?? carry(p));
    return carry(p);
  };

  /** A row the comparison let through: sent, or on a dry run what would be sent (and what it would change). */
  const carry = (p: Prepared): Promise<RowResult> | RowResult => {
    if (sender) return send(p);
    const o = transport.carry({ key: p.key, refs: p.refs, plan: p.plan, inDoubt: false, found: p.found });
    return o instanceof Promise ? o.then((x) => dryResult(p, x)) : dryResult(p, o);
  };

  /** Results not yet handed out: yielded at the end of each input batch, and before any wait. */
  let out: RowResult[] = [];
  const take = (): RowResult[] => {
    const done = out;
    out = [];
    return done;
  };
  try {
    // What the reader finds of the input's form (the CSV delimiter) may come before the preparer exists
    // (while the columns are typed from the first rows): it is kept, and handed on.
    const found: { delimiter?: string; rejects?: boolean } = {};
    let input = readRecordBatches({
      ...cfg.source,
      ...(deps.signal ? { signal: deps.signal } : {}),
      onNote: (m: string) => tally.note(m),
      onFound: (facts: { delimiter?: string; rejects?: boolean }) => {
        Object.assign(found, facts);
        preparer?.inputFound(found);
      },
    });
    const begun = await begin(input, {
      source: cfg.source,
      signal: deps.signal,
      mapper: cfg.mapper,
      inferTypes: cfg.inferTypes,
      mapperFrom: cfg.mapperFrom,
      compare: cfg.compare ?? { compare: state ? 'state' : 'none' },
      setup: {
        spec: cfg.spec,
        mode: cfg.mode,
        match: cfg.match ?? 'externalId',
        dryRun: cfg.dryRun,
        // The Analytics API only ever adds a user's links.
        links: (cfg.via ?? 'rest') === 'rest' ? (cfg.links ?? 'add') : 'add',
        state,
        lister: deps.lister,
        ids,
        signal: deps.signal,
        onListing: deps.onListing,
        onVerify: deps.onVerify,
        warn: (message) => tally.warn(message),
      },
    });
    input = begun.input;
    stage = begun.stage;
    const mapper = begun.mapper;
    preparer = new RowPreparer({ ...cfg, mapper }, state, transport, stage.comparison, (message) => tally.warn(message));
    preparer.inputFound(found);
    // Records come in batches (one await per input chunk); each is handled in turn, and the window still
    // makes reading wait when it is full.
    reading: for await (const batch of input) {
      for (const src of batch) {
        fatal ??= state?.failure;
        if (fatal || deps.signal?.aborted) break reading;
        deps.onRead?.(src.row);
        if (src.fatal) tally.readError = true;
        const r = handle(src);
        if (!(r instanceof Promise) && win.size === 0) {
          // Settled at once (a dry run, a row that failed before sending) with nothing ahead of it.
          out.push(tally.add(r));
          continue;
        }
        win.push(r);
        for (const done of win.ready()) out.push(tally.add(done));
        if (win.full) transport.flush(); // about to wait: the head may sit in a batch still filling
        if (win.full && !fatal && out.length > 0) yield take();
        while (win.full && !fatal) yield [tally.add((await win.next())!)];
      }
      if (out.length > 0) yield take();
    }
    if (out.length > 0) yield take();
    transport.flush();
    while (win.size > 0) {
      const r = (await win.next())!;
      // Rows failed by the stop are not reported one by one; after a store failure they were answered, or not sent.
      if (fatal && fatal !== state?.failure) continue;
      yield [tally.add(r)];
    }
    fatal ??= state?.failure;
    // Work after the last row (--delete-missing, --unlink-removed) needs the store and the whole input.
    const why = tally.readError
      ? 'the input was not read to its end'
      : deps.signal?.aborted
        ? 'the run was interrupted'
        : tally.rowsRead === 0
          ? 'the input holds no rows (an empty export is taken for a broken one)'
          : preparer.whyNotMirror;
    for (const step of transport.followUps) {
      if (fatal) break;
      if (!state) tally.warn(`${step.flag} needs the state store (${step.needs}): ${step.nothing}`);
      else if (why) tally.warn(`${step.flag}: ${step.nothing} because ${why}`);
      else {
        const started = step.start(state, (message) => tally.warn(message));
        if (started instanceof VitallySyncError) {
          fatal = started;
          break;
        }
        for (const r of started) win.push(r);
        transport.flush();
        while (win.size > 0) yield [tally.add((await win.next())!)];
      }
    }
    // --verify: the rows not found get a second result, failed; those found are confirmed: neither is a new row.
    const v = fatal ? undefined : await stage.verify(state, Boolean(deps.signal?.aborted), (w) => tally.warn(w));
    if (v) {
      verified = v.summary;
      tally.verified(v.summary.landed, v.notLanded);
      if (v.notLanded.length > 0) yield v.notLanded;
    }
  } catch (err) {
    // The run cannot go on (the input became unreadable, --strict-traits met an unknown key on stdin, a
    // bug): the results so far stand, the summary says how far it got, and the store records the stop.
    // Rows already on their way finish and are reported: nothing is left in flight, unreported.
    transport.flush();
    while (win.size > 0) out.push(tally.add((await win.next())!));
    if (out.length > 0) yield take();
    const summary = complete(tally.summary(Boolean(deps.signal?.aborted)));
    stage?.close();
    state?.finish('stopped', summary);
    if (err instanceof VitallySyncError) throw new RunStopped(err, summary);
    throw new Error(`internal: ${errorMessage(err)}`, { cause: err });
  }
  if (tally.rowsRead > 0) {
    for (const source of preparer!.unmatchedSources()) tally.warn(`--map ${source}: no record has a column "${source}", so it was not used`);
    const leftOut = preparer!.leftOut();
    if (leftOut.length > 0) {
      const columns = leftOut.map((c) => `"${c}"`).join(', ');
      tally.warn(
        `${columns}: not a field of ${pluralOf(cfg.spec)}, which have no traits, so left out (--ignore ${leftOut.length > 1 ? 'them' : 'it'} to say so)`,
      );
    }
  }
  const aliases = preparer?.aliasNote();
  if (aliases) tally.note(aliases);
  fatal ??= state?.failure;
  const summary = complete(tally.summary(Boolean(deps.signal?.aborted)));
  stage?.close();
  state?.finish(fatal ? 'stopped' : summary.interrupted ? 'interrupted' : 'done', summary);
  if (fatal) throw new RunStopped(fatal, summary);
  return summary;
}

/** A row the run stopped before sending (the state store failed): like an interrupt, the next run sends it. */
const NOT_SENT: Outcome = { status: 'skipped', action: 'interrupted', id: null, httpStatus: null, error: 'not sent: the run stopped (the state store failed)' };

/** The summary with the type each trait column was sent with (when there were trait columns), the comparison and --verify. */
function withRun(summary: Summary, preparer: RowPreparer | undefined, stage: CompareStage | undefined, verified: VerifySummary | undefined): Summary {
  const types = preparer?.traitTypes() ?? [];
  return {
    ...summary,
    ...(types.length > 0 ? { traitTypes: types } : {}),
    ...(stage ? { compare: stage.summary() } : {}),
    ...(verified ? { verify: verified } : {}),
  };
}
