/**
 * The sender: pacing and retry wrapped around the transport. Every request of a run goes through one
 * Sender, which counts requests, retries and 429s, and reports each exchange to an optional listener
 * (the request log).
 *
 * - A 2xx answer is a success only when its body confirms the request (`confirm`, see confirm.ts):
 *   otherwise the request fails with UnconfirmedError, in doubt, and is not retried.
 * - The breaker (breaker.ts): attempts that end in a 429, a 5xx, no answer, or an answer that confirms
 *   nothing are "failing". When `policy.breaker.requests` requests in a row gave up that way, when
 *   failing has gone on for `policy.breaker.ms` without a success in between, or when most attempts
 *   have failed for that long, the server is taken for down: the run's later requests fail at once with
 *   ServerFailingError (which stops the run, exit 69). A success, or an answer that is a verdict on the
 *   request (400, 404, 409, ...), ends a stretch of failures in a row.
 * - Stopping (stopOn): once the signal aborts, a request that has not started yet is refused with
 *   InterruptedError, unsent; nothing is retried any more (a request that fails keeps its failure, in
 *   doubt when it may have been applied; one refused with 429 is reported as interrupted); a row's
 *   follow-up request (the POST after a 404) still goes, unless the rate limit would keep it waiting
 *   (the pacer's stopWaitMs); and the answers in flight get a few seconds (STOP_GRACE_MS) before they
 *   are given up. So a stop ends the run within seconds, and no row is left half-done unknowingly.
 * - Rate-limit headers the pacer and the retry policy do not believe (ratelimit-headers.ts), and a
 *   server that starts failing most requests, are noted once each in `notices` (and passed to
 *   `onNotice`).
 * - Retries start before anything else waiting in the pacer, then a row's follow-up requests, then
 *   first attempts, so a failing server is found out by the requests already sent rather than after
 *   every other row. Until some request of the run has had an HTTP answer, a first attempt also waits
 *   while an earlier request is between its attempts: a host that cannot be reached is found out by
 *   one request's retries, not by every row's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiError, AuthError, ConfigError, NetworkError, ServerFailingError, UnconfirmedError, VitallySyncError, mayHaveApplied, stopsRun } from '../errors.js';
import type { PlannedRequest } from '../types.js';
import { Breaker } from './breaker.js';
import { jsonAnswer, type Confirm } from './confirm.js';
import type { HttpClient, HttpResponse } from './http.js';
import { InterruptedError, type Answer, type Pacer, type StartKind } from './pacer.js';
import { absurdValues, retryAfterMs } from './ratelimit-headers.js';
import { retryDelay, type RetryPolicy } from './retry.js';

export { InterruptedError } from './pacer.js';

export interface Exchange {
  method: string;
  url: string;
  attempt: number;
  status: number | null;
  ms: number;
  requestBody: string | undefined;
  responseHeaders: Record<string, string> | undefined;
  responseBody: string | undefined;
  error: string | undefined;
}

export interface SendStats {
  requests: number;
  retries: number;
  rateLimited: number;
}

export interface SendOptions {
  /**
   * For a request that is not safe to repeat (a create keyed by externalId): before a retry after an
   * answer that may have been applied (5xx, lost connection, timeout), look the record up; a found
   * record is the answer.
   */
  verify?: () => Promise<HttpResponse | null>;
  /**
   * The request continues a row whose first request already went out (the POST after a PUT's 404):
   * it is not refused when the run is stopping, so no row is left half-done.
   */
  continuation?: boolean;
  /** What a 2xx answer must hold to confirm the request (default: a JSON object or array). */
  confirm?: Confirm;
}

/** Answers that say the server is not serving: it refused (429), failed (5xx), said nothing usable. */
const SERVER_FAULTS = new Set(['API_UNCONFIRMED', 'API_TOO_LARGE', 'API_REDIRECT']);
function failing(err: unknown): boolean {
  if (err instanceof NetworkError) return true;
  if (!(err instanceof ApiError)) return false;
  return err.status === 429 || err.status >= 500 || SERVER_FAULTS.has(err.code);
}

export class Sender {
  readonly stats: SendStats = { requests: 0, retries: 0, rateLimited: 0 };
  /** What the user should know once (a rate-limit header not believed), in the order noticed. */
  readonly notices: string[] = [];
  /** Called with each notice as it is first noticed. */
  onNotice: ((message: string) => void) | undefined;
  private readonly noticed = new Set<string>();
  /** Set by a refused token, an unknown host or the breaker: every later send fails with it, unsent. */
  private halted: Error | undefined;
  /** Some request of this run got an HTTP answer (so a refused connection is a passing fault). */
  private everAnswered = false;
  /** Set while a retry's verification runs, so a stop does not refuse it. */
  private readonly retrying = new AsyncLocalStorage<true>();
  private stop: AbortSignal | undefined;
  private readonly breaker: Breaker;
  private readonly now: () => number;
  /** Retries waiting out their backoff: woken at once when the run stops (one listener on the signal). */
  private readonly sleepers = new Set<() => void>();

  constructor(
    readonly http: HttpClient,
    readonly pacer: Pacer,
    private readonly policy: RetryPolicy,
    private readonly onExchange?: (e: Exchange) => void,
  ) {
    this.now = policy.now ?? Date.now;
    this.breaker = new Breaker(policy.breaker, this.now, (message) => this.notice('slowed', message));
  }

  /** From the moment `signal` aborts, requests not yet started are refused and nothing is retried. */
  stopOn(signal: AbortSignal): void {
    this.stop = signal;
    this.pacer.stopOn(signal);
    this.http.stopOn(signal);
    signal.addEventListener('abort', () => this.sleepers.forEach((wake) => wake()), { once: true });
  }

  async send(req: PlannedRequest, opts: SendOptions = {}): Promise<HttpResponse> {
    const inRetry = Boolean(this.retrying.getStore());
    const stoppable = !inRetry && !opts.continuation;
    // From its first retry to its end, the request is between attempts: the pacer knows (pacer.hold).
    let holding = false;
    try {
      return await this.attempts(req, opts, stoppable, inRetry ? 'retry' : opts.continuation ? 'followUp' : 'first', () => {
        if (holding) return;
        holding = true;
        this.pacer.hold();
      });
    } finally {
      if (holding) this.pacer.unhold();
    }
  }

  private async attempts(req: PlannedRequest, opts: SendOptions, stoppable: boolean, kind: StartKind, retrying: () => void): Promise<HttpResponse> {
    const confirm = opts.confirm ?? jsonAnswer;
    let last: unknown;
    for (let attempt = 1; ; attempt++) {
      if (this.halted) throw this.haltedFor(last);
      let ticket;
      try {
        ticket = await this.pacer.acquire(attempt === 1 && stoppable, attempt === 1 ? kind : 'retry');
      } catch (err) {
        // Refused while waiting because the sender halted: the halt is the reason.
        if (this.halted) throw this.haltedFor(last);
        // A retry the stop refused: the row keeps the failure it had.
        if (last !== undefined && err instanceof InterruptedError) throw this.notRetried(last, attempt - 1);
        throw err;
      }
      if (this.halted) {
        this.pacer.cancel(ticket);
        throw this.haltedFor(last);
      }
      const started = Date.now();
      let failure: unknown;
      let answer: Answer | undefined;
      try {
        this.stats.requests++;
        const res = await this.http.send(req);
        answer = { status: res.status, headers: res.headers };
        this.everAnswered = true;
        this.heed(res.headers);
        const why = confirm(res, this.http.scrub);
        if (why) throw new UnconfirmedError(res.status, res.headers, res.body, req.method, req.path, why);
        this.log(req, attempt, started, res.status, res.headers, res.body);
        this.breaker.served();
        return res;
      } catch (err) {
        failure = err;
        if (err instanceof ApiError) {
          if (err.status === 429) this.stats.rateLimited++;
          if (!answer) this.heed(err.headers);
          answer = { status: err.status, headers: err.headers, retryAfterMs: retryAfterMs(err.headers, Date.now(), this.policy.maxMs) };
          this.everAnswered = true;
          this.log(req, attempt, started, err.status, err.headers, err.body, SERVER_FAULTS.has(err.code) ? err : undefined);
        } else {
          this.log(req, attempt, started, err instanceof AuthError ? err.status : null, undefined, undefined, err);
        }
      } finally {
        this.pacer.release(ticket, answer);
      }
      last = failure;
      if (stopsRun(failure)) {
        this.halt(failure);
        throw failure;
      }
      if (failure instanceof VitallySyncError) failure.attempts = attempt;
      if (!failing(failure)) {
        // A verdict on the request itself (400, 404, 409...): the server is serving.
        this.breaker.served();
        throw failure;
      }
      const delay = retryDelay(failure, attempt, this.policy, this.now());
      const down = this.breaker.failed(delay === null);
      if (down) throw this.trip(down, failure);
      if (delay === null) {
        // Nothing has ever answered and the host refuses connections: every other row would spend its
        // retries the same way. Stop the run instead of grinding through the file.
        if (!this.everAnswered && refused(failure)) {
          throw this.halt(
            new ConfigError(
              `Cannot connect to ${this.http.origin}: connection refused after ${attempt} attempts. Check --base-url (or the region and subdomain) and that the service is up`,
            ),
          );
        }
        throw failure;
      }
      if (this.stop?.aborted) throw this.notRetried(failure, attempt);
      this.stats.retries++;
      retrying();
      await this.sleep(delay);
      if (this.stop?.aborted) throw this.notRetried(failure, attempt);
      if (opts.verify && mayHaveApplied(failure)) {
        const found = await this.retrying.run(true, opts.verify);
        if (found) return found;
      }
    }
  }

  /** Wait `ms` before a retry, or less when the run stops meanwhile. */
  private sleep(ms: number): Promise<void> {
    if (this.stop?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  /** The server is taken for down (`what`, the breaker's reason): halt, and return the error to throw. */
  private trip(what: string, failure: unknown): Error {
    this.halt(
      new ServerFailingError(
        `The server kept failing: ${what}; the last: ${(failure as Error).message}. The run stopped; the rows not sent go with the next run. Try again later (vitally-sync doctor checks the connection)`,
      ),
    );
    return this.haltedFor(failure);
  }

  /** Nothing more is sent: the requests waiting in the pacer are refused now, not one by one at its pace. */
  private halt(err: Error): Error {
    this.halted ??= err;
    this.pacer.refuseWaiting('not sent: the run stopped');
    return this.halted;
  }

  /** The halt as thrown for one request: in doubt when its own last attempt may have been applied. */
  private haltedFor(last: unknown): Error {
    const h = this.halted!;
    if (h instanceof ServerFailingError && last !== undefined && mayHaveApplied(last)) return new ServerFailingError(h.message, { maybeApplied: true });
    return h;
  }

  /** A request not retried because the run is stopping: its last failure stands (a 429 one was never applied). */
  private notRetried(failure: unknown, attempts: number): Error {
    if (failure instanceof ApiError && failure.status === 429)
      return new InterruptedError(`not sent: rate-limited (429) when the run was stopping (${attempts} attempt${attempts > 1 ? 's' : ''})`);
    if (failure instanceof VitallySyncError) {
      failure.attempts = attempts;
      failure.message += '; not retried: the run was stopping';
    }
    return failure as Error;
  }

  /** Note, once per header, a rate-limit value that is not believed as it stands. */
  private heed(headers: Record<string, string>): void {
    for (const note of absurdValues(headers, Date.now(), this.policy.maxMs)) {
      this.notice(note.slice(0, note.indexOf(':')), `Rate-limit header ${note}`);
    }
  }

  /** Say `message` once per `topic`. */
  private notice(topic: string, message: string): void {
    if (this.noticed.has(topic)) return;
    this.noticed.add(topic);
    this.notices.push(message);
    this.onNotice?.(message);
  }

  private log(
    req: PlannedRequest,
    attempt: number,
    started: number,
    status: number | null,
    headers: Record<string, string> | undefined,
    body: string | undefined,
    err?: unknown,
  ): void {
    if (!this.onExchange) return;
    this.onExchange({
      method: req.method,
      url: this.http.origin + req.path,
      attempt,
      status,
      ms: Date.now() - started,
      requestBody: req.body,
      responseHeaders: headers,
      responseBody: body,
      error: err instanceof Error ? err.message : undefined,
    });
  }
}

/** A connection the host refused outright (nothing listens there). */
function refused(err: unknown): boolean {
  if (!(err instanceof NetworkError)) return false;
  const cause = err.cause as { code?: string; cause?: { code?: string } } | undefined;
  return cause?.code === 'ECONNREFUSED' || cause?.cause?.code === 'ECONNREFUSED' || err.message.includes('ECONNREFUSED');
}
