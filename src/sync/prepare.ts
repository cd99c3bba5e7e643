/**
 * Preparing one source record: map and identify it, ask the run's comparison whether it must be sent
 * (compare/: the state store's hash, a listing of the workspace, or nothing), plan it through the
 * transport (which checks it), and catch a key seen earlier in the file. What comes out is a row to send
 * (Prepared) or its result at once (a failure, a skip). Synchronous: its only I/O is the state store's
 * and the scratch space's (SQLite, synchronous); it sends nothing. A comparison that must look an id up
 * first hands its verdict on as a promise.
 */
import { InputError, RowError } from '../errors.js';
import { aliasNote, checkColumns } from '../mapping/columns.js';
import { Mapper, type MapperOptions, type TraitType } from '../mapping/mapper.js';
import type { MappedRecord, ObjectSpec, Refs } from '../objects/index.js';
import { contentHash, defaultsFilled, withDefaults, withIdentity } from '../plan/identity.js';
import type { RunState } from '../state/run-state.js';
import { failed, type Outcome } from '../transport/outcome.js';
import type { Found, Transport } from '../transport/transport.js';
import type { RowChange, RowResult, SourceRecord } from '../types.js';
import { SEND, type Comparison, type Verdict } from './compare/comparison.js';
import { KeySet } from './keyset.js';

/** A row ready for its transport. */
export interface Prepared {
  src: SourceRecord;
  key: string | null;
  /** What decides its requests, as recorded in the state store ('' without a store). */
  hash: string;
  refs: Refs;
  /** What the transport's plan() made of it. */
  plan: unknown;
  /** Values the state store keeps once the row is sent (the defaults filled in: a note's date). */
  kept?: Record<string, unknown>;
  /** The mapped record (defaults filled): what --verify looks for in Vitally. */
  record: MappedRecord;
  /** What the comparison saw of the record in Vitally (null: nothing), when it looked. */
  found?: Found | null;
  /** What the row would change in Vitally (a dry run comparing with it). */
  change?: RowChange;
  /** The comparison's verdict, when it had to look something up first. */
  verdict?: Promise<Verdict>;
}

export const isPrepared = (p: Prepared | RowResult): p is Prepared => 'hash' in p;

/** A row's result from its source record and an outcome; a failed one carries what was read (for --rejects). */
export function resultOf(src: SourceRecord, key: string | null, o: Outcome): RowResult {
  // Built field by field (one result a row: spreads cost more than the rest of a dry-run row's result).
  const r: RowResult = { row: src.row, line: src.line, key, status: o.status, action: o.action, id: o.id, httpStatus: o.httpStatus, error: o.error };
  if (o.maybeApplied !== undefined) r.maybeApplied = o.maybeApplied;
  if (o.requests !== undefined) r.requests = o.requests;
  if (o.note !== undefined) r.note = o.note;
  if (o.kept !== undefined) r.kept = o.kept;
  if (o.incomplete) r.incomplete = true;
  if (r.status === 'failed') {
    r.source = src.data;
    r.raw = src.raw;
  }
  return r;
}

/** A dry run's result: what would be sent, and what the row would change in Vitally when a listing showed it. */
export function dryResult(p: Prepared, o: Outcome): RowResult {
  const r = resultOf(p.src, p.key, o);
  if (p.change) r.change = p.change;
  if (r.id === null && p.found?.id) r.id = p.found.id;
  return r;
}

export interface PrepareConfig {
  spec: ObjectSpec;
  mode: string;
  mapper: MapperOptions;
  /** How keyed records are found (part of what decides the requests). */
  match?: string | undefined;
  /** A user's links added to (default) or replaced (--links replace): part of what decides the requests. */
  links?: string | undefined;
  /** Values set on every row, over its columns (--event). */
  constants?: Record<string, unknown> | undefined;
}

export class RowPreparer {
  private readonly mapper: Mapper;
  private readonly seen = new KeySet();
  /** The first record's columns were checked (columns.ts). */
  private columnsChecked = false;
  /** Why deletions must not be mirrored this run (a row whose key could not be read, ...). */
  whyNotMirror: string | undefined;

  constructor(
    private readonly cfg: PrepareConfig,
    private readonly state: RunState | undefined,
    private readonly transport: Transport,
    private readonly comparison: Comparison,
    /** Where the column check's warnings go (the summary). */
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.mapper = new Mapper(cfg.spec, cfg.mapper);
  }

  /** The --map / --mapping sources no record held. */
  unmatchedSources(): string[] {
    return this.mapper.unmatchedSources();
  }

  /** Columns left out because they fill no field of a type without traits. */
  leftOut(): string[] {
    return this.mapper.leftOut();
  }

  /** The type each trait column met was sent with. */
  traitTypes(): TraitType[] {
    return this.mapper.traitTypes();
  }

  /** How the input is written, as its reader found it (the CSV delimiter, a rejects file): for the conversions. */
  inputFound(facts: { delimiter?: string; rejects?: boolean }): void {
    this.mapper.inputFound(facts);
  }

  /** The columns matched by an alias or a common export name, for the summary's notes. */
  aliasNote(): string | undefined {
    return aliasNote(this.mapper);
  }

  /**
   * The first record's columns (a CSV's header), before its row is sent: two columns for one field, or a
   * link of another object type, stop the run with nothing sent (InputError INPUT_COLUMNS); a field a create needs
   * that a column seems to hold is warned about.
   */
  private checkColumns(data: Record<string, unknown>): void {
    this.columnsChecked = true;
    const check = checkColumns(this.mapper, this.cfg.spec, Object.keys(data), { mode: this.cfg.mode, constants: Object.keys(this.cfg.constants ?? {}) });
    if (check.refusal) throw new InputError('INPUT_COLUMNS', `${check.refusal}. Nothing was sent`);
    for (const w of check.warnings) this.warn(w);
  }

  /** The row to send, or its result at once (unreadable, invalid, a duplicate, unchanged since the last run). */
  prepare(src: SourceRecord): Prepared | RowResult {
    const { cfg, state } = this;
    const spec = cfg.spec;
    if (src.error) {
      this.whyNotMirror ??= `row ${src.row} (line ${src.line}) could not be read`;
      return resultOf(src, null, failed(src.error, 'invalid'));
    }
    if (!this.columnsChecked && src.data) this.checkColumns(src.data);
    let key: string | null = null;
    try {
      const mapped = this.mapper.map(src.data ?? {});
      const ownKey = mapped.record[spec.key] !== undefined;
      if (cfg.constants) Object.assign(mapped.record, cfg.constants);
      const refs = mapped.refs;
      const identified = withIdentity(spec, mapped.record, refs);
      const k = identified[spec.key];
      key = typeof k === 'string' && k !== '' ? k : null;
      // Defaults an earlier run filled for this record (a note's date) are filled the same way again.
      const first = spec.defaults && key !== null ? (state?.kept(key)?.defaults as Record<string, unknown> | undefined) : undefined;
      const record = withDefaults(spec, identified, first);
      const filled = defaultsFilled(spec, identified, record);
      if (key !== null) state?.seen(key);
      // What decides the requests (before defaults such as a note's read time, and before id look-ups);
      // only needed when there is a store to compare with.
      // --links replace asks more of an unchanged row than add did; add keeps the hashes stores already hold.
      const how = cfg.links === 'replace' ? [cfg.mode, cfg.match ?? 'externalId', 'links:replace'] : [cfg.mode, cfg.match ?? 'externalId'];
      const hash = state ? contentHash([spec.name, ...how, mapped.record, refs]) : '';
      const last = key !== null ? state?.lastSent(key) : undefined;
      const verdict = key !== null ? this.comparison.judge({ key, record, refs, hash, last }) : SEND;
      // A row that fails below (invalid, a duplicate) drops its verdict: its failure must not go unhandled.
      if (verdict instanceof Promise) verdict.catch(() => undefined);
      // A row unchanged was valid when it was sent (or is what Vitally holds): it is not planned again.
      // References are checked with placeholders, so a row that cannot be sent costs no look-up.
      const settled = verdict instanceof Promise ? undefined : verdict;
      const plan = settled?.kind === 'unchanged' || settled?.kind === 'fail' ? undefined : this.transport.plan(record, refs);
      if (key !== null) {
        const first = this.seen.add(key, src.row);
        if (first !== undefined && !ownKey) {
          // Same content as an earlier row, so the same derived id: it is that row, already on its way.
          return resultOf(src, key, { status: 'skipped', action: 'unchanged', id: null, httpStatus: null, error: `same content as row ${first}: sent once` });
        }
        if (first !== undefined) {
          throw new RowError('ROW_DUPLICATE', `duplicate ${spec.key} "${key}": already in row ${first} of this file`, spec.key);
        }
        this.transport.read?.(key, refs);
        if (last) state!.claim(key, last);
      }
      const p: Prepared = { src, key, hash, refs, plan, record, ...(filled ? { kept: { defaults: filled } } : {}) };
      if (verdict instanceof Promise) p.verdict = verdict;
      else {
        const done = this.settle(p, verdict);
        if (done) return done;
      }
      return p;
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      if (key === null && spec.kind === 'keyed') {
        key = this.mapper.keyOf(src.data ?? {});
        if (key !== null) state?.seen(key);
      }
      if (key === null) this.whyNotMirror ??= `row ${src.row} has no usable ${spec.key}`;
      return resultOf(src, key, failed(err, 'invalid'));
    }
  }

  /**
   * Apply a verdict to a prepared row: its result when it is not sent (unchanged: and the store told that
   * Vitally holds it, when a listing showed so), else undefined with what the comparison found kept on it.
   */
  settle(p: Prepared, v: Verdict): RowResult | undefined {
    if (v.kind === 'fail') return resultOf(p.src, p.key, v.outcome);
    if (v.kind === 'unchanged') {
      if (v.seen && p.key !== null) this.state?.confirm(p.key, p.hash, v.id);
      const o: Outcome = { status: 'skipped', action: 'unchanged', id: v.id, httpStatus: null, error: null };
      if (v.note) o.note = v.note;
      return resultOf(p.src, p.key, o);
    }
    if (v.found !== undefined) p.found = v.found;
    if (v.change) p.change = v.change;
    return undefined;
  }
}
