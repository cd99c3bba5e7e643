/**
 * The orchestrator: wires source -> map -> validate -> plan -> resolve ids -> send -> report for one
 * run, and yields one result per row in input order. It knows nothing of the terminal.
 */
import { AuthError, ConfigError, RowError, VitallySyncError, errorMessage } from '../errors.js';
import { Mapper, type MapperOptions } from '../mapping/mapper.js';
import type { MappedRecord, Mode, ObjectSpec } from '../objects/define.js';
import { withDefaults, withIdentity } from '../plan/identity.js';
import { planRow, type MatchBy, type RowPlan } from '../plan/plan.js';
import { readRecords, type SourceOptions } from '../source/index.js';
import type { RowResult, SourceRecord, Summary } from '../types.js';
import type { Sender } from '../vitally/sender.js';
import { execute, failed, type Outcome } from './execute.js';
import { OrderedWindow } from './ordered.js';
import { placeholder, Resolver, unresolved } from './resolve.js';
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
}

export interface SyncDeps {
  /** Absent on a dry run: nothing is sent. */
  sender?: Sender;
  resolver?: Resolver;
  signal?: AbortSignal;
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

interface Prepared {
  src: SourceRecord;
  key: string | null;
  plan: RowPlan;
  record: MappedRecord;
  refs: Record<string, string[]>;
}

export async function* runSync(cfg: SyncConfig, deps: SyncDeps): AsyncGenerator<RowResult, Summary> {
  const mapper = new Mapper(cfg.spec, cfg.mapper);
  const tally = new Tally(() => deps.sender?.stats);
  const seen = new Map<string, number>();
  const win = new OrderedWindow<RowResult>(cfg.window);
  const resolver = deps.resolver ?? (deps.sender ? new Resolver(deps.sender) : undefined);
  let fatal: VitallySyncError | undefined;

  const finish = (src: SourceRecord, key: string | null, o: Outcome, extra: Partial<RowResult> = {}): RowResult => {
    const r: RowResult = { row: src.row, line: src.line, key, ...o, ...extra };
    if (r.status === 'failed') {
      r.source = src.data;
      r.raw = src.raw;
    }
    return r;
  };

  const prepare = (src: SourceRecord): Prepared | RowResult => {
    if (src.error) return finish(src, null, failed(src.error, 'invalid'));
    let key: string | null = null;
    try {
      const mapped = mapper.map(src.data ?? {});
      const refs = mapped.refs;
      const record = withDefaults(cfg.spec, withIdentity(cfg.spec, mapped.record, refs));
      const k = record[cfg.spec.key];
      key = typeof k === 'string' && k !== '' ? k : null;
      // References are validated with placeholders, so a row that cannot be sent costs no look-up.
      const withRefs = substitute(cfg.spec, record, refs, (object, id) => placeholder(object, id));
      const plan = planRow(cfg.spec, cfg.mode, withRefs, cfg.match);
      if (key !== null) {
        const first = seen.get(key);
        if (first !== undefined) {
          throw new RowError('ROW_DUPLICATE', `duplicate externalId "${key}": already in row ${first} of this file`, cfg.spec.key);
        }
        seen.set(key, src.row);
      }
      return { src, key, plan, record, refs };
    } catch (err) {
      if (err instanceof RowError) return finish(src, key, failed(err, 'invalid'));
      throw err;
    }
  };

  const send = async (p: Prepared): Promise<RowResult> => {
    const sender = deps.sender!;
    try {
      let plan = p.plan;
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
      return finish(p.src, p.key, await execute(sender, cfg.spec, plan));
    } catch (err) {
      if (err instanceof AuthError || err instanceof ConfigError) fatal ??= err;
      return finish(p.src, p.key, failed(err));
    }
  };

  const handle = (src: SourceRecord): Promise<RowResult> | RowResult => {
    const p = prepare(src);
    if (!('plan' in p)) return p;
    if (cfg.dryRun) {
      const requests = [...(p.plan.lookup ? [p.plan.lookup] : []), p.plan.first];
      if (p.plan.create && !(p.plan.create instanceof RowError)) requests.push(p.plan.create);
      return finish(src, p.key, { status: 'ok', action: 'planned', id: null, httpStatus: null, error: null }, { requests });
    }
    return send(p);
  };

  try {
    for await (const src of readRecords({ ...cfg.source, ...(deps.signal ? { signal: deps.signal } : {}) })) {
      if (fatal || deps.signal?.aborted) break;
      deps.onRead?.(src.row);
      if (src.fatal) tally.readError = true;
      const r = handle(src);
      win.push(Promise.resolve(r));
      for (const done of win.ready()) yield tally.add(done);
      while (win.full && !fatal) yield tally.add((await win.next())!);
    }
    while (win.size > 0) {
      const r = (await win.next())!;
      if (fatal) continue; // rows failed by the stop are not reported one by one
      yield tally.add(r);
    }
  } catch (err) {
    // A read error of the whole input (missing, empty) is a configuration-level failure.
    if (err instanceof VitallySyncError) throw err;
    throw new Error(`internal: ${errorMessage(err)}`, { cause: err });
  }
  const summary = tally.summary(Boolean(deps.signal?.aborted));
  if (fatal) throw new RunStopped(fatal, summary);
  return summary;
}

/** Put resolved ids (or dry-run placeholders) into the reference fields of a record. */
function substitute(
  spec: ObjectSpec,
  record: MappedRecord,
  refs: Record<string, string[]>,
  idFor: (object: string, externalId: string) => string,
): MappedRecord {
  if (Object.keys(refs).length === 0) return record;
  const out: MappedRecord = { ...record };
  for (const [column, values] of Object.entries(refs)) {
    const ref = spec.refs[column]!;
    const ids = values.map((v) => idFor(ref.object, v));
    if (ref.many) out[ref.target] = [...((out[ref.target] as string[] | undefined) ?? []), ...ids];
    else out[ref.target] = ids[0];
  }
  return out;
}
