/**
 * --verify: the rows the Analytics API accepted are looked for in Vitally once it has had time to apply
 * them (a 200 from it confirms nothing per message). Each check reads what changed since the run began:
 * a list sorted by last change, read until it reaches records older than the workspace's latest change
 * before the first row was sent (Vitally's clock, so the machine's own clock does not matter), or, with
 * few rows left, each record by its key. A row is found once its record holds every value it sent (the
 * same comparison as --compare vitally). Checks go on, further and further apart, until every row is
 * found or the wait ends: the rows found are confirmed in the state store; those not found are reported
 * failed (`not_landed`) and kept unconfirmed, so the next run sends them again.
 */
import { ApiError } from '../../errors.js';
import { recordPath, type ObjectSpec } from '../../objects/index.js';
import type { RunState } from '../../state/run-state.js';
import type { Pending, Scratch } from '../../state/scratch.js';
import type { RowResult, VerifySummary } from '../../types.js';
import { confirmsLookup, confirmsPage } from '../../vitally/confirm.js';
import type { Sender } from '../../vitally/sender.js';
import { listAll } from '../listing.js';
import { readRecords, type VitallyRecord } from '../records.js';
import type { Expectations } from './expected.js';
import { isRowError } from './expected.js';
import { scanPath, updatedAt } from './vitally.js';

export interface VerifyOptions {
  /** How long to look for the rows after the last one was accepted. */
  timeoutMs: number;
  /** The wait before the first check; each later wait is twice the one before, at most MAX_INTERVAL_MS. */
  intervalMs: number;
}

export const DEFAULT_VERIFY: VerifyOptions = { timeoutMs: 120_000, intervalMs: 1000 };
const MAX_INTERVAL_MS = 15_000;
/** Rows left at most for a check to read each record by its key rather than list what changed. */
const BY_KEY = 100;

/** Where a verification stands, after each check. */
export interface VerifyProgress {
  landed: number;
  waiting: number;
  /** The next check, and the time left, in milliseconds (null when no check follows). */
  nextInMs: number | null;
  leftMs: number;
}

export interface VerifyContext {
  spec: ObjectSpec;
  lister: Sender;
  scratch: Scratch;
  expect: Expectations;
  opts: VerifyOptions;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: VerifyProgress) => void) | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export class Verifier {
  /** The workspace's latest change before the first row was sent; null: it was empty; undefined: not read. */
  private since: number | null | undefined;
  private requests = 0;
  private landedCount = 0;
  private rows = 0;
  private state: RunState | undefined;

  constructor(private readonly ctx: VerifyContext) {}

  /** Read Vitally's clock before anything is sent: the latest change in the workspace (given when a listing read it). */
  async begin(newest?: number | null): Promise<void> {
    if (newest !== undefined) {
      this.since = newest;
      return;
    }
    const res = await this.ctx.lister.send(
      { method: 'GET', path: scanPath(this.ctx.spec, 'updatedAt').replace('limit=100', 'limit=1') },
      { confirm: confirmsPage },
    );
    this.requests++;
    const first = readRecords(res.json)[0];
    this.since = first ? updatedAt(first) : null;
  }

  /** A row the Analytics API accepted: to be found in Vitally. `data` is the record as read (for --rejects). */
  wait(row: { key: string; row: number; line: number | undefined; hash: string; record: unknown; refs: unknown; data: unknown }): void {
    this.rows++;
    this.ctx.scratch.wait({
      key: row.key,
      row: row.row,
      line: row.line ?? null,
      hash: row.hash,
      sent: JSON.stringify({ record: row.record, refs: row.refs, data: row.data }),
    });
  }

  /** Look for the rows until all are found or the wait ends; the rows not found, as failed results. */
  async run(state: RunState | undefined): Promise<{ notLanded: RowResult[]; summary: VerifySummary }> {
    this.state = state;
    const { opts, scratch, signal } = this.ctx;
    const sleep = this.ctx.sleep ?? pause;
    const started = Date.now();
    let interval = opts.intervalMs;
    while (scratch.waitingCount > 0 && !signal?.aborted) {
      await sleep(interval, signal);
      if (signal?.aborted) break;
      await this.check();
      const waited = Date.now() - started;
      // The last wait is cut to the time left, so the rows are looked for until the wait ends.
      const left = opts.timeoutMs - waited;
      const next = Math.min(interval * 2, MAX_INTERVAL_MS, left);
      const more = scratch.waitingCount > 0 && left > 0;
      this.ctx.onProgress?.({
        landed: this.landedCount,
        waiting: scratch.waitingCount,
        nextInMs: more ? next : null,
        leftMs: Math.max(0, opts.timeoutMs - waited),
      });
      if (!more) break;
      interval = next;
    }
    const waitedMs = Date.now() - started;
    const notLanded: RowResult[] = [];
    // Interrupted: the rows not found yet stay accepted, neither confirmed nor failed.
    if (!signal?.aborted) {
      const seconds = Math.round(waitedMs / 1000);
      for (const p of [...scratch.stillWaiting()]) {
        const sent = JSON.parse(p.sent) as { data?: Record<string, unknown> };
        notLanded.push({
          row: p.row,
          ...(p.line !== null ? { line: p.line } : {}),
          key: p.key,
          status: 'failed',
          action: 'not_landed',
          id: null,
          httpStatus: null,
          error: `accepted by the Analytics API, but not found in Vitally with the values sent after ${seconds} s${p.last ? `: ${p.last}` : ''}; the next run sends it again`,
          ...(sent.data ? { source: sent.data } : {}),
        });
        state?.notLanded(p.key);
      }
    }
    return {
      notLanded,
      summary: { rows: this.rows, landed: this.landedCount, notLanded: notLanded.length, requests: this.requests, waitedMs },
    };
  }

  /** One check: the records changed since the run began, or (few rows left) each one by its key. */
  private async check(): Promise<void> {
    const { scratch, spec, lister } = this.ctx;
    if (scratch.waitingCount <= BY_KEY) {
      for (const p of [...scratch.stillWaiting()]) {
        const rec = await this.byKey(p.key);
        if (rec) await this.judge(p, rec);
        else scratch.note(p.key, `Vitally has no ${spec.name} with externalId "${p.key}"`);
      }
      return;
    }
    for await (const page of listAll(lister, scanPath(spec, 'updatedAt'))) {
      this.requests++;
      let older = page.length > 0;
      for (const r of readRecords(page)) {
        const at = updatedAt(r);
        if (this.since === undefined || this.since === null || at === null || at >= this.since) older = false;
        const p = r.externalId !== null ? scratch.waiting(r.externalId) : undefined;
        if (p) await this.judge(p, r);
      }
      // Sorted by last change, newest first: a page wholly older than the run holds nothing it sent.
      if (older || scratch.waitingCount === 0) break;
    }
  }

  private async byKey(key: string): Promise<VitallyRecord | null> {
    const { spec, lister } = this.ctx;
    this.requests++;
    try {
      if (spec.locate) {
        const res = await lister.send(spec.locate(key), { confirm: confirmsLookup(spec.key, key, true) });
        return readRecords(res.json).find((r) => r.externalId === key) ?? null;
      }
      const res = await lister.send({ method: 'GET', path: recordPath(spec, key) }, { confirm: confirmsLookup(spec.key, key) });
      return readRecords(res.json)[0] ?? null;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** The row's record holds every value the row sent: found. Else what still differs is noted. */
  private async judge(p: Pending, rec: VitallyRecord): Promise<void> {
    const { record, refs } = JSON.parse(p.sent) as { record: Record<string, unknown>; refs: Record<string, string[]> };
    const d = await this.ctx.expect.differ(record, refs, rec);
    if (isRowError(d)) {
      this.ctx.scratch.note(p.key, d.message);
      return;
    }
    if (d.length > 0) {
      this.ctx.scratch.note(p.key, `Vitally still has ${d.map((c) => `${c.field} ${JSON.stringify(c.old)} (sent ${JSON.stringify(c.new)})`).join(', ')}`);
      return;
    }
    this.ctx.scratch.landed(p.key);
    this.landedCount++;
    this.state?.confirm(p.key, p.hash, rec.id);
  }
}
