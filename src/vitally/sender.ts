/**
 * The sender: pacing and retry wrapped around the transport. Every request of a run goes through one
 * Sender, which counts requests, retries and 429s, and reports each exchange to an optional listener
 * (the request log).
 *
 * Stopping (stopOn): once the signal aborts, a request that has not started yet is refused with
 * InterruptedError, unsent; the requests in flight finish, and so do the retries of requests already
 * sent (with the look-ups that verify them), so a row is never left half-done by the stop.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiError, AuthError, ConfigError, NetworkError, VitallySyncError } from '../errors.js';
import type { PlannedRequest } from '../types.js';
import type { HttpClient, HttpResponse } from './http.js';
import type { Answer, Pacer } from './pacer.js';
import { retryAfterMs } from './ratelimit-headers.js';
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
}

export class Sender {
  readonly stats: SendStats = { requests: 0, retries: 0, rateLimited: 0 };
  /** Set by a refused token or an unknown host: every later send fails with it, unsent. */
  private halted: Error | undefined;
  /** Some request of this run got an HTTP answer (so a refused connection is a passing fault). */
  private everAnswered = false;
  /** Set while a retry's verification runs, so a stop does not refuse it. */
  private readonly retrying = new AsyncLocalStorage<true>();

  constructor(
    readonly http: HttpClient,
    readonly pacer: Pacer,
    private readonly policy: RetryPolicy,
    private readonly onExchange?: (e: Exchange) => void,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** From the moment `signal` aborts, requests not yet started are refused (InterruptedError). */
  stopOn(signal: AbortSignal): void {
    this.pacer.stopOn(signal);
  }

  async send(req: PlannedRequest, opts: SendOptions = {}): Promise<HttpResponse> {
    const stoppable = !this.retrying.getStore() && !opts.continuation;
    for (let attempt = 1; ; attempt++) {
      if (this.halted) throw this.halted;
      const ticket = await this.pacer.acquire(attempt === 1 && stoppable);
      if (this.halted) {
        this.pacer.cancel(ticket);
        throw this.halted;
      }
      const started = Date.now();
      let failure: unknown;
      let answer: Answer | undefined;
      try {
        this.stats.requests++;
        const res = await this.http.send(req);
        answer = { status: res.status, headers: res.headers };
        this.everAnswered = true;
        this.log(req, attempt, started, res.status, res.headers, res.body);
        return res;
      } catch (err) {
        failure = err;
        if (err instanceof ApiError) {
          if (err.status === 429) this.stats.rateLimited++;
          answer = { status: err.status, headers: err.headers, retryAfterMs: retryAfterMs(err.headers) };
          this.everAnswered = true;
          this.log(req, attempt, started, err.status, err.headers, err.body);
        } else {
          this.log(req, attempt, started, err instanceof AuthError ? err.status : null, undefined, undefined, err);
        }
      } finally {
        this.pacer.release(ticket, answer);
      }
      if (failure instanceof AuthError || failure instanceof ConfigError) {
        this.halted ??= failure;
        throw failure;
      }
      const delay = retryDelay(failure, attempt, this.policy);
      if (delay === null) {
        if (failure instanceof VitallySyncError) failure.attempts = attempt;
        // Nothing has ever answered and the host refuses connections: every other row would spend its
        // retries the same way. Stop the run instead of grinding through the file.
        if (!this.everAnswered && refused(failure)) {
          this.halted ??= new ConfigError(
            `Cannot connect to ${this.http.origin}: connection refused after ${attempt} attempts. Check --base-url (or the region and subdomain) and that the service is up`,
          );
          throw this.halted;
        }
        throw failure;
      }
      this.stats.retries++;
      await this.sleep(delay);
      const maybeApplied = !(failure instanceof ApiError && failure.status === 429);
      if (opts.verify && maybeApplied) {
        const found = await this.retrying.run(true, opts.verify);
        if (found) return found;
      }
    }
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
