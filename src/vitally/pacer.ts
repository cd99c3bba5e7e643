/**
 * The pacer: when each request may start, and how many may be in flight. Per run, never at module scope.
 *
 * - The timing (allowance.ts) says when the next start is due: evenly spread within the rate limit the
 *   server announces (or that is learned from its answers), paused after a 429.
 * - The number in flight (inflight.ts) is sized from the measured latency by Little's law, within
 *   `concurrency` (--concurrency, the ceiling), and cut on 429s, 5xx, lost answers and rising latency.
 * - The requests waiting to start are a p-queue: its `concurrency` is that number, and it is paused
 *   whenever the next start is not due yet, so exactly one request starts when its time comes, the first
 *   in order: retries before follow-ups (a row's second request), follow-ups before first attempts,
 *   each kind in the order it asked. A retry does not wait for a free slot either, up to the ceiling:
 *   its request is already under way, and it finds out soonest whether the server is back.
 * - Until some request has had an HTTP answer, only one is in flight, and while a request is between
 *   its attempts (hold/unhold) the others wait for its verdict.
 * - Once the run is stopping, waiters that may not be refused (a row's retry or follow-up) still start,
 *   unless their start is more than `stopWaitMs` away: then they are refused too, so a stop is never
 *   held up by a long pause.
 */
import PQueue from 'p-queue';
import { VitallySyncError } from '../errors.js';
import { Allowance, type Answer, type Entry, type Window } from './allowance.js';
import { InFlight, type AnswerKind } from './inflight.js';
import { MAX_WAIT_MS } from './ratelimit-headers.js';

export type { Answer } from './allowance.js';

/** A request refused because the run is stopping (Ctrl-C, SIGTERM) or over: it was never sent. */
export class InterruptedError extends VitallySyncError {
  constructor(message: string) {
    super('INTERRUPTED', message);
  }
}

export interface PacerOptions {
  /** Requests per minute at most (--rate). */
  ratePerMinute: number;
  /** Requests in flight at most (--concurrency): the ceiling of the number sized from latency. */
  concurrency: number;
  /** Margin added to a window, as a share of it (default 0.01) ... */
  marginShare?: number;
  /** ... and at least this many milliseconds (default 25). */
  minMarginMs?: number;
  /** Once stopping, the longest a waiter is kept waiting for its start (default 2000 ms). */
  stopWaitMs?: number;
  /** The longest pause a server's Retry-After or RateLimit-Reset may impose (default MAX_WAIT_MS, a minute). */
  maxWaitMs?: number;
  now?: () => number;
}

/** One start, handed out by acquire() and given back to release() with the answer. */
export interface Ticket {
  readonly at: number;
}

/** Which requests start first: a retry, then a row's follow-up request, then a first attempt. */
export type StartKind = 'retry' | 'followUp' | 'first';
const PRIORITY: Record<StartKind, number> = { retry: 2, followUp: 1, first: 0 };

interface Started extends Entry {
  seq: number;
  retry: boolean;
  /** Frees the request's slot in the queue. */
  finish: () => void;
}

interface Waiter {
  abort: AbortController;
  stoppable: boolean;
}

/** setTimeout fires at once for longer delays (and warns): no timer is set for more. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Pacer {
  private readonly allowance: Allowance;
  private readonly inflight: InFlight;
  private readonly queue = new PQueue({ concurrency: 1, autoStart: false });
  private readonly waiting = new Set<Waiter>();
  private readonly stopWaitMs: number;
  private readonly now: () => number;
  private inFlightCount = 0;
  /** Retries among the requests in flight: they do not count against the limit, only the ceiling. */
  private retriesInFlight = 0;
  /** Requests between attempts (hold/unhold). */
  private retrying = 0;
  private seq = 0;
  private answered = false;
  /** When the start the timer was set for was due (a late timer's start is caught up). */
  private due: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private closed = false;
  private stop: AbortSignal | undefined;

  constructor(opts: PacerOptions) {
    this.allowance = new Allowance({
      ratePerMinute: opts.ratePerMinute,
      marginShare: opts.marginShare ?? 0.01,
      minMarginMs: opts.minMarginMs ?? 25,
      maxWaitMs: opts.maxWaitMs ?? MAX_WAIT_MS,
    });
    this.inflight = new InFlight(opts.concurrency);
    this.stopWaitMs = opts.stopWaitMs ?? 2000;
    this.now = opts.now ?? Date.now;
  }

  /** What the server announced last. */
  get serverLimit(): Window | undefined {
    return this.allowance.serverLimit;
  }

  /** The window in force: announced, or learned from Remaining and Reset. */
  get window(): Window | undefined {
    return this.allowance.window;
  }

  /** 429s the pacer had not foreseen (its log said there was room). */
  get surprises(): number {
    return this.allowance.surprises;
  }

  /** The spacing between starts now. */
  get currentIntervalMs(): number {
    return this.allowance.intervalMs;
  }

  /** Requests started and not yet given back. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests allowed in flight now (1 until the first answer). */
  get limit(): number {
    return this.answered ? this.inflight.limit : 1;
  }

  /** Requests waiting to start. */
  get waitingCount(): number {
    return this.waiting.size;
  }

  /**
   * Wait for a start; give the ticket back to release() once the request has its answer (or has failed).
   * A `stoppable` waiter is refused with InterruptedError, unsent, once the stop signal (stopOn) aborts;
   * retries of requests already sent are not stoppable.
   */
  acquire(stoppable = false, kind: StartKind = 'first'): Promise<Ticket> {
    if (this.closed) return Promise.reject(new InterruptedError('the run has ended: request not sent'));
    if (stoppable && this.stop?.aborted) return Promise.reject(new InterruptedError('interrupted before it was sent'));
    return new Promise((resolve, reject) => {
      const w: Waiter = { abort: new AbortController(), stoppable };
      this.waiting.add(w);
      this.queue
        .add(
          () =>
            new Promise<void>((finish) => {
              this.waiting.delete(w);
              resolve(this.begin(finish, kind === 'retry'));
            }),
          { priority: PRIORITY[kind], signal: w.abort.signal },
        )
        .catch((err: unknown) => {
          this.waiting.delete(w);
          reject(err);
        });
      this.gate();
    });
  }

  /** From the moment `signal` aborts, stoppable waiters are refused. */
  stopOn(signal: AbortSignal): void {
    this.stop = signal;
    signal.addEventListener(
      'abort',
      () => {
        this.refuse((w) => w.stoppable, 'interrupted before it was sent');
        this.gate();
      },
      { once: true },
    );
  }

  /** Give a start back with what it brought: `answer` is undefined when no HTTP answer came. */
  release(ticket: Ticket, answer?: Answer): void {
    const e = ticket as Started;
    const now = this.now();
    // Requests were waiting and every slot was taken: the limit, not the timing, held them back.
    const held = this.waiting.size > 0 && this.inFlightCount - this.retriesInFlight >= this.limit;
    this.forget(e);
    if (answer) {
      this.answered = true;
      this.allowance.observe(e, answer, now);
    }
    const kind: AnswerKind = !answer || answer.status >= 500 ? 'failed' : answer.status === 429 ? 'limited' : 'ok';
    this.inflight.answer({ seq: e.seq, lastSeq: this.seq, latencyMs: now - e.at, kind, perMs: 1 / this.allowance.intervalMs, held });
    this.settle(e);
  }

  /** Give a start back unused: the request was not sent after all. */
  cancel(ticket: Ticket): void {
    const e = ticket as Started;
    e.gone = true;
    this.forget(e);
    this.settle(e);
  }

  /**
   * A request is between its attempts (it failed and will be sent again), until unhold(). Until some
   * request has had an HTTP answer, first attempts and follow-ups wait while any request is: a host that
   * cannot be reached is found out by one request's retries, not by every row's.
   */
  hold(): void {
    this.retrying++;
  }

  unhold(): void {
    this.retrying--;
    this.gate();
  }

  /** Refuse every waiter, unsent (the sender halted); what is in flight goes on. */
  refuseWaiting(message: string): void {
    this.refuse(() => true, message);
  }

  /** Refuse every waiter and stop the timer (the run is over). */
  close(): void {
    this.closed = true;
    this.queue.pause();
    this.clearTimer();
    this.refuse(() => true, 'the run has ended: request not sent');
  }

  private forget(e: Started): void {
    this.inFlightCount--;
    if (e.retry) this.retriesInFlight--;
  }

  private settle(e: Started): void {
    this.queue.pause();
    e.finish();
    this.gate();
  }

  /**
   * The queue's concurrency: the limit for first attempts and follow-ups; a retry may start beyond it
   * (its request is already under way: holding it back finds out nothing), up to the ceiling.
   */
  private slots(): number {
    const retryWaiting = this.queue.sizeBy({ priority: PRIORITY.retry }) > 0 ? 1 : 0;
    return Math.max(1, Math.min(this.inflight.ceiling, this.limit + this.retriesInFlight + retryWaiting));
  }

  /** Called by the queue as it starts a request (synchronously): log it and close the gate until the next is due. */
  private begin(finish: () => void, retry: boolean): Started {
    const now = this.now();
    const entry = this.allowance.start(now, this.due) as Started;
    entry.seq = ++this.seq;
    entry.retry = retry;
    entry.finish = finish;
    this.inFlightCount++;
    if (retry) this.retriesInFlight++;
    this.queue.pause();
    this.arm(this.allowance.earliest(now), now);
    return entry;
  }

  /** Open the queue when a start is due; else keep it paused and set the timer for when one will be. */
  private gate(due?: number): void {
    if (this.closed) return;
    const now = this.now();
    const at = this.allowance.earliest(now);
    if (!this.answered && this.retrying > 0 && this.queue.sizeBy({ priority: PRIORITY.retry }) === 0) {
      // Nothing has answered yet and a request waits to be retried: the others wait for its verdict
      // (unhold or its retry's acquire opens the gate again).
      this.queue.pause();
      return;
    }
    if (at <= now) {
      this.clearTimer();
      this.queue.concurrency = this.slots();
      this.due = due;
      this.queue.start(); // starts the first waiter in order if a slot is free; its begin() pauses again
      this.due = undefined;
      return;
    }
    this.queue.pause();
    if (this.stop?.aborted && this.waiting.size > 0 && at - now > this.stopWaitMs) {
      const wait = Math.ceil((at - now) / 1000);
      this.refuse(() => true, `not sent: the run is stopping, and the rate limit asked to wait ${wait} s more`);
      return;
    }
    this.arm(at, now);
  }

  private arm(at: number, now: number): void {
    if (this.waiting.size === 0 && this.queue.size === 0) return;
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.gate(at);
      },
      Math.min(Math.ceil(at - now), MAX_TIMER_MS),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Refuse the waiters that match, unsent. */
  private refuse(which: (w: Waiter) => boolean, message: string): void {
    for (const w of [...this.waiting]) {
      if (!which(w)) continue;
      this.waiting.delete(w);
      w.abort.abort(new InterruptedError(message));
    }
  }
}
