/**
 * How many requests may be in flight at once: sized from what is measured, within a ceiling
 * (--concurrency). Per run.
 *
 * - The target is Little's law: the rate starts are allowed at (from the allowance) times the latency
 *   of an answer (its long-run average, over some 16 answers), plus room for the latency's spread (twice
 *   its mean deviation) and 2 more. Keeping that many in flight lets every start go when it is due, so
 *   the allowance is used whatever the latency.
 * - Until the first answer only one request is in flight; the first answer that is a success sizes the
 *   limit to the target at once. After that the limit grows by one per answer, up to the target, and
 *   only while requests wait with every slot taken (the limit, not the allowance, holds them back); it
 *   comes down by one per answer when it is above the target (the latency fell).
 * - It shrinks on trouble, once per round (a cut is not repeated for answers to requests already in
 *   flight when it was made): to three quarters on a 429; to half when two answers in a row are a 5xx
 *   or no answer at all (one such answer now and then only stops growth for a round). When latency rises (its average over the last 4 answers more than 1.25 times its long-run
 *   average, and 50 ms above it: the server is queueing), the limit keeps to what the latency before
 *   the rise needed by Little's law, with no room for spread, and does not grow: a server that slows
 *   down is not sent more requests. After trouble the limit grows again only on answers to requests
 *   started after it, so a 5xx storm is never met with more requests.
 * - A latency that stays at a new level becomes the long-run average within some 16 answers, and the
 *   limit then grows to it by Little's law.
 */

/** The ceiling (--concurrency) by default: 1,000 requests a minute keep 32 in flight up to some 1.8 s of latency. */
export const DEFAULT_CONCURRENCY = 32;

/** What an answer says about the server. */
export type AnswerKind = 'ok' | 'limited' | 'failed';

export interface Answered {
  /** The answered request's start number, and the latest start number. */
  seq: number;
  lastSeq: number;
  latencyMs: number;
  kind: AnswerKind;
  /** Starts allowed per millisecond (1 / the spacing). */
  perMs: number;
  /** Requests were waiting to start and every slot was taken. */
  held: boolean;
}

const CUT: Record<AnswerKind, number> = { ok: 1, failed: 0.5, limited: 0.75 };

export class InFlight {
  /** Requests allowed in flight now. */
  limit = 1;
  /** The latency: its short-run average (the last 4 answers or so), mean deviation, and long-run average. */
  private meanMs: number | undefined;
  private devMs = 0;
  private baseMs: number | undefined;
  /** The long-run latency when it started to rise (while it rises). */
  private riseFrom: number | undefined;
  private sized = false;
  /** Growth waits for an answer to a request started after this one (the last trouble). */
  private quietAfter = 0;
  /** One cut per round: answers to requests started up to this one do not cut again. */
  private cutAfter = 0;
  /** The last answer was a 5xx or none. */
  private failed = false;

  constructor(readonly ceiling: number) {}

  /** rate x latency (Little's law), with room for the latency's spread, within the ceiling. */
  target(perMs: number): number {
    return this.little(perMs, (this.baseMs ?? 0) + 2 * this.devMs);
  }

  private little(perMs: number, latencyMs: number): number {
    return Math.max(1, Math.min(this.ceiling, Math.ceil(perMs * latencyMs) + 2));
  }

  /** Latency well above its long-run average: the server is queueing. */
  get rising(): boolean {
    const mean = this.meanMs ?? 0;
    const base = this.baseMs ?? 0;
    return mean > 1.25 * base && mean - base > 50;
  }

  answer(a: Answered): void {
    const base = this.baseMs;
    if (a.kind === 'ok') this.sample(a.latencyMs);
    const failedBefore = this.failed;
    this.failed = a.kind === 'failed';
    if (a.kind !== 'ok') {
      this.quietAfter = a.lastSeq;
      if (a.seq > this.cutAfter && (a.kind === 'limited' || failedBefore)) {
        this.limit = Math.max(1, Math.floor(this.limit * CUT[a.kind]));
        this.cutAfter = a.lastSeq;
      }
      return;
    }
    if (this.rising) {
      this.riseFrom ??= base ?? 0;
      this.quietAfter = a.lastSeq;
      this.limit = Math.min(this.limit, this.little(a.perMs, this.riseFrom));
      return;
    }
    this.riseFrom = undefined;
    const target = this.target(a.perMs);
    if (!this.sized) {
      this.sized = true;
      this.limit = Math.max(this.limit, target);
      return;
    }
    if (a.seq <= this.quietAfter) return;
    if (this.limit < target && a.held) this.limit++;
    else if (this.limit > target) this.limit--;
  }

  private sample(ms: number): void {
    if (this.meanMs === undefined || this.baseMs === undefined) {
      this.meanMs = ms;
      this.baseMs = ms;
      return;
    }
    this.devMs += (Math.abs(ms - this.meanMs) - this.devMs) / 4;
    this.meanMs += (ms - this.meanMs) / 4;
    this.baseMs += (ms - this.baseMs) / 16;
  }
}
