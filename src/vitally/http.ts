/**
 * The transport: one request, one answer. An undici Pool with keep-alive per base URL; non-2xx answers
 * become ApiError/AuthError, socket failures and timeouts NetworkError. Knows nothing of retries.
 */
import { Pool, errors as undiciErrors } from 'undici';
import { ApiError, AuthError, ConfigError, NetworkError } from '../errors.js';
import type { PlannedRequest } from '../types.js';

export interface HttpOptions {
  baseUrl: string;
  authorization: string;
  connections: number;
  connectTimeoutMs: number;
  /** Time allowed for the answer's headers, and between body chunks. */
  timeoutMs: number;
  userAgent?: string;
  /** What to call the credential in an auth error ("VITALLY_API_TOKEN ..."). */
  authHint: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: unknown;
}

export class HttpClient {
  private readonly pool: Pool;
  private readonly prefix: string;

  constructor(private readonly opts: HttpOptions) {
    const url = new URL(opts.baseUrl);
    this.prefix = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      connect: { timeout: opts.connectTimeoutMs },
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
  }

  get origin(): string {
    return this.opts.baseUrl;
  }

  async send(req: PlannedRequest): Promise<HttpResponse> {
    const path = this.prefix + req.path;
    let res;
    try {
      res = await this.pool.request({
        method: req.method,
        path,
        headers: {
          authorization: this.opts.authorization,
          accept: 'application/json',
          'user-agent': this.opts.userAgent ?? 'vitally-sync',
          ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: req.body,
      });
    } catch (err) {
      throw toNetworkError(err, `${req.method} ${req.path}`, this.opts);
    }
    let body: string;
    try {
      body = await res.body.text();
    } catch (err) {
      throw toNetworkError(err, `${req.method} ${req.path}`, this.opts);
    }
    const headers = flatHeaders(res.headers);
    if (res.statusCode === 401 || res.statusCode === 403) {
      const what = res.statusCode === 401 ? 'was refused (401 Unauthorized)' : 'has no access here (403 Forbidden)';
      throw new AuthError(res.statusCode, `${this.opts.authHint} ${what} at ${this.opts.baseUrl}`);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new ApiError(res.statusCode, headers, body, req.method, req.path);
    }
    let json: unknown = undefined;
    if (body) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    return { status: res.statusCode, headers, body, json };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

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
  ENETUNREACH: 'the network is unreachable',
};

function toNetworkError(err: unknown, what: string, o: HttpOptions): Error {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ConfigError(`Cannot resolve the host of ${o.baseUrl}: check --region, --subdomain or --base-url`);
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new NetworkError(`${what}: no answer within ${o.timeoutMs} ms (--timeout)`, 'TIMEOUT', err);
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new NetworkError(`${what}: connecting to ${o.baseUrl} took longer than ${o.connectTimeoutMs} ms (--connect-timeout)`, 'TIMEOUT', err);
  }
  const known = code ? SOCKET_ERRORS[code] : undefined;
  if (known) return new NetworkError(`${what}: ${known} (${code})`, 'NETWORK', err);
  return new NetworkError(`${what}: ${code ?? 'connection failed'}${e.message && !e.message.includes(code ?? '\0') ? ` (${e.message})` : ''}`, 'NETWORK', err);
}
