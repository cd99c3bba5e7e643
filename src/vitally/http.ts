/**
 * The transport: one request, one answer. An undici Pool with keep-alive per base URL; non-2xx answers
 * become ApiError/AuthError (a 403 on the path of a feature a workspace may lack: ForbiddenError,
 * features.ts), socket failures and timeouts NetworkError. Knows nothing of retries.
 *
 * Every answer is bounded and cleaned before anything reads it:
 * - `timeoutMs` bounds the whole answer of one attempt, headers and body together (a server trickling
 *   a byte a second is cut off), besides undici's own idle timers;
 * - at most `maxAnswerBytes` of a body are read: a longer answer fails its request, naming the cap;
 * - the credential this client sends is scrubbed out of the body, the headers and every error text (a
 *   proxy may echo the Authorization header), before a message is built or a text is cut to length;
 * - a redirect is never followed (the token would go to the other host): it fails its request, naming
 *   where it pointed.
 *
 * Behind a proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY: proxy.ts), the requests go through a CONNECT
 * tunnel (tunnel.ts) with the same limits: `connections` per host, the connect timeout for the proxy and
 * for the host behind it, and the same timeouts for the answers.
 */
import { setMaxListeners } from 'node:events';
import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { ApiError, AuthError, ConfigError, ForbiddenError, NetworkError } from '../errors.js';
import type { PlannedRequest } from '../types.js';
import { featureOf } from './features.js';
import { NO_PROXIES, proxyFor, type ProxyServer, type ProxySettings } from './proxy.js';
import { Secrets } from './redact.js';
import { throughProxy } from './tunnel.js';

/** The most read of an answer by default: Vitally's largest answers (list pages of 100 records) are far smaller. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** What an ApiError keeps of an answer too large to read (for the request log). */
const KEPT_OF_LARGE = 64 * 1024;
/** After a stop (Ctrl-C, SIGTERM), the requests in flight get this long to be answered. */
export const STOP_GRACE_MS = 5000;

export interface HttpOptions {
  baseUrl: string;
  authorization: string;
  connections: number;
  connectTimeoutMs: number;
  /** Time allowed for the whole answer of one attempt: headers and body together. */
  timeoutMs: number;
  userAgent?: string;
  /** What to call the credential in an auth error ("VITALLY_API_TOKEN ..."). */
  authHint: string;
  /** The most bytes read of one answer (default MAX_ANSWER_BYTES). */
  maxAnswerBytes?: number;
  /** The proxies of the environment (default none): the one for this base URL is used. */
  proxy?: ProxySettings | undefined;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

/** Why an attempt was aborted: its time ran out, or the run stopped and the grace after it ran out. */
class Abort extends Error {
  constructor(readonly why: 'timeout' | 'stop') {
    super(why);
  }
}

export class HttpClient {
  private readonly pool: Dispatcher;
  private readonly targetOrigin: string;
  private readonly prefix: string;
  private readonly secrets: Secrets;
  private readonly maxBytes: number;
  /** Aborted `graceMs` after the run's stop signal: cuts off the answers still awaited. */
  private readonly stopped = new AbortController();
  private graceMs = STOP_GRACE_MS;

  /** The proxy this client's requests go through, or null. */
  readonly proxy: ProxyServer | null;

  constructor(private readonly opts: HttpOptions) {
    const url = new URL(opts.baseUrl);
    this.targetOrigin = url.origin;
    this.prefix = url.pathname.replace(/\/+$/, '');
    const proxies = opts.proxy ?? NO_PROXIES;
    // A proxy may echo its own credential too.
    this.secrets = new Secrets([opts.authorization, ...proxies.secrets]);
    this.maxBytes = opts.maxAnswerBytes ?? MAX_ANSWER_BYTES;
    // Each answer awaited listens for the cut, up to --concurrency at once: more than Node's default warning of 10.
    setMaxListeners(0, this.stopped.signal);
    this.proxy = proxyFor(opts.baseUrl, proxies);
    const limits = {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    };
    this.pool = this.proxy
      ? throughProxy(this.proxy, limits, opts.connectTimeoutMs)
      : new Pool(url.origin, { ...limits, connect: { timeout: opts.connectTimeoutMs } });
  }

  get origin(): string {
    return this.opts.baseUrl;
  }

  /** A text as this client's answers read: the credential it sends scrubbed out (see redact.ts). */
  readonly scrub = (text: string): string => this.secrets.scrub(text);

  /** Once `signal` aborts, the answers still awaited get `graceMs` more, then fail (in doubt). */
  stopOn(signal: AbortSignal, graceMs = STOP_GRACE_MS): void {
    this.graceMs = graceMs;
    const cut = () => setTimeout(() => this.stopped.abort(new Abort('stop')), graceMs).unref();
    if (signal.aborted) cut();
    else signal.addEventListener('abort', cut, { once: true });
  }

  async send(req: PlannedRequest): Promise<HttpResponse> {
    const path = this.prefix + req.path;
    const what = `${req.method} ${req.path}`;
    // One signal per attempt: the --timeout for the whole answer, or the stop's grace running out.
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(new Abort('timeout')), this.opts.timeoutMs);
    const onStop = () => attempt.abort(this.stopped.signal.reason);
    if (this.stopped.signal.aborted) onStop();
    else this.stopped.signal.addEventListener('abort', onStop, { once: true });
    try {
      let res;
      try {
        res = await this.pool.request({
          origin: this.targetOrigin,
          method: req.method,
          path,
          headers: {
            authorization: this.opts.authorization,
            accept: 'application/json',
            'user-agent': this.opts.userAgent ?? 'vitally-sync',
            ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          body: req.body,
          signal: attempt.signal,
        });
      } catch (err) {
        throw this.networkError(err, what);
      }
      const headers = this.clean(flatHeaders(res.headers));
      const status = res.statusCode;
      const feature = status === 403 ? featureOf(req.path) : undefined;
      if (feature) {
        // A workspace without the feature (organizations...) answers 403 on its paths alone: not a bad token by itself.
        const body = this.secrets.scrub(await this.readBody(res.body, headers).catch(() => ''));
        throw new ForbiddenError(feature.name, headers, body, req.method, req.path, feature.why);
      }
      if (status === 401 || status === 403) {
        // Nothing in the body changes the verdict: read a little of it (so the connection can be reused), no more.
        await res.body.dump().catch(() => {});
        const how = status === 401 ? 'was refused (401 Unauthorized)' : 'has no access here (403 Forbidden)';
        throw new AuthError(status, `${this.opts.authHint} ${how} at ${this.opts.baseUrl}`);
      }
      let body: string;
      try {
        body = await this.readBody(res.body, headers);
      } catch (err) {
        if (err instanceof TooLarge) {
          const maybeApplied = (status >= 200 && status < 300) || status >= 500;
          throw new ApiError(status, headers, err.kept, req.method, req.path, {
            code: 'API_TOO_LARGE',
            message: `${what} answered ${status} with more than ${mib(this.maxBytes)} (the most read of an answer): not read further${maybeApplied ? '; the request may have been applied' : ''}`,
            maybeApplied,
          });
        }
        throw this.networkError(err, what, status);
      }
      body = this.secrets.scrub(body);
      if (status >= 300 && status < 400) {
        const to = headers.location ? `a redirect to ${headers.location}` : 'a redirect without a Location';
        throw new ApiError(status, headers, body, req.method, req.path, {
          code: 'API_REDIRECT',
          message: `${what} answered ${status}, ${to}: not followed (the token is sent to the configured host only). Check --base-url: it must be the API root itself`,
        });
      }
      if (status < 200 || status > 299) throw new ApiError(status, headers, body, req.method, req.path);
      let json: unknown = undefined;
      if (body) {
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
      }
      return { status, headers, body, json };
    } finally {
      clearTimeout(timer);
      this.stopped.signal.removeEventListener('abort', onStop);
    }
  }

  /** The body as text, reading at most maxBytes (announced or sent); throws TooLarge past it. */
  private async readBody(body: AsyncIterable<Buffer> & { destroy(): unknown }, headers: Record<string, string>): Promise<string> {
    const announced = Number(headers['content-length']);
    const chunks: Buffer[] = [];
    let size = 0;
    const tooLarge = () => {
      // Scrubbed whole before it is cut, so the cut cannot leave the head of a credential behind.
      const kept = this.secrets.scrub(Buffer.concat(chunks).toString('utf8')).slice(0, KEPT_OF_LARGE);
      body.destroy();
      return new TooLarge(kept);
    };
    if (announced > this.maxBytes) throw tooLarge();
    for await (const chunk of body) {
      size += chunk.length;
      chunks.push(chunk);
      if (size > this.maxBytes) throw tooLarge();
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  /** Header names and values with the credential scrubbed out. */
  private clean(h: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) out[this.secrets.scrub(k)] = this.secrets.scrub(v);
    return out;
  }

  /** `status`: the headers had come with it, and the body failed. */
  private networkError(err: unknown, what: string, status?: number): Error {
    const reason = err instanceof Abort ? err : undefined;
    if (reason?.why === 'timeout') {
      return new NetworkError(`${what}: no answer within ${this.opts.timeoutMs} ms (--timeout)`, 'TIMEOUT', err);
    }
    if (reason?.why === 'stop') {
      return new NetworkError(`${what}: no answer within ${this.graceMs} ms of the stop; the request may have been applied`, 'NETWORK', err);
    }
    const code = (err as { code?: string }).code;
    if (status !== undefined && code && BROKEN_OFF.has(code)) {
      return new NetworkError(`${what} answered ${status}, but its body broke off before its end (${code})`, 'NETWORK', err);
    }
    const e = toNetworkError(err, what, this.opts, this.proxy);
    e.message = this.secrets.scrub(e.message);
    return e;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

class TooLarge extends Error {
  constructor(readonly kept: string) {
    super('too large');
  }
}

/** Socket failures that, once the headers came, mean the body was cut short. */
const BROKEN_OFF = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH']);

const mib = (bytes: number) => (bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : `${+(bytes / 1024).toFixed(1)} KiB`);

export function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const SOCKET_ERRORS: Record<string, string> = {
  ECONNRESET: 'the connection was reset before an answer',
  UND_ERR_SOCKET: 'the connection was closed before an answer',
  ECONNREFUSED: 'the connection was refused',
  EPIPE: 'the connection was closed while sending',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'the answer ended before the length it announced',
  ENETUNREACH: 'the network is unreachable',
};

function toNetworkError(err: unknown, what: string, o: HttpOptions, proxy: ProxyServer | null): Error {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (proxy) {
    const status = /Proxy response \((\d+)\)/.exec(e.message ?? '')?.[1] ?? (/Proxy Authentication Required/.test(e.message ?? '') ? '407' : undefined);
    if (status === '407') {
      return new ConfigError(
        `The proxy ${proxy.shown} (${proxy.variable}) asks for credentials (407): give them in ${proxy.variable} as http://user:password@host:port`,
        'CONFIG_INVALID_PROXY',
      );
    }
    if (status) return new NetworkError(`${what}: the proxy ${proxy.shown} (${proxy.variable}) refused the tunnel to ${o.baseUrl} (${status})`, 'NETWORK', err);
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new ConfigError(
        `Cannot resolve the host of the proxy ${proxy.shown} (${proxy.variable}): check the variable, or NO_PROXY`,
        'CONFIG_INVALID_PROXY',
      );
    }
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError(`Cannot resolve the host of ${o.baseUrl}: check --region, --subdomain or --base-url`);
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new NetworkError(`${what}: no answer within ${o.timeoutMs} ms (--timeout)`, 'TIMEOUT', err);
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    const to = proxy ? `to ${o.baseUrl} through the proxy ${proxy.shown}` : `to ${o.baseUrl}`;
    return new NetworkError(`${what}: connecting ${to} took longer than ${o.connectTimeoutMs} ms (--connect-timeout)`, 'TIMEOUT', err);
  }
  const known = code ? SOCKET_ERRORS[code] : undefined;
  const through = proxy ? ` (through the proxy ${proxy.shown})` : '';
  if (known) return new NetworkError(`${what}: ${known} (${code})${through}`, 'NETWORK', err);
  return new NetworkError(
    `${what}: ${code ?? 'connection failed'}${e.message && !e.message.includes(code ?? '\0') ? ` (${e.message})` : ''}${through}`,
    'NETWORK',
    err,
  );
}
