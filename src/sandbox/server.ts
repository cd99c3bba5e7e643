/**
 * The sandbox HTTP server. Each request goes through, in order:
 *   1. paths outside /resources and /analytics -> 404 (no auth);
 *   2. auth (REST: Basic base64(token + ':'); Analytics: Basic <analyticsToken> verbatim) -> 401;
 *   3. the API's rate window (REST always; Analytics when analyticsRateLimit is set; a REST write takes
 *      writeCost units) -> 429, not counted; every later answer carries the rate-limit headers;
 *   4. faults from the seeded PRNG (three draws per request, always, so one rate does not shift the
 *      others): drop (socket destroyed, nothing applied), fail (503, nothing applied);
 *   5. 413 for a body over 1 MiB, then routing (403 for organizations when the workspace has none,
 *      404/405), body parsing (415/400) and the handler;
 *   6. dropAfter: the request was applied, the answer is lost (socket destroyed).
 * latencyMs is waited (setTimeout) before every answer or destroyed socket. A request dropped in step 4
 * still counts against the rate window: the server saw it. Analytics messages are applied in step 5, or
 * after the answer (analyticsApply 'deferred'); settled() waits for them.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../errors.js';
import type { RateLimitOptions, RecordedRequest, Sandbox, SandboxFault, SandboxOptions, SandboxStats } from './index.js';
import { HttpError, analyticsAuthError, parseBody, readBody, restAuthError, type ReadBody, type Reply } from './http.js';
import { resolveOptions } from './options.js';
import { RateWindow } from './ratelimit.js';
import { createRng } from './rng.js';
import { SandboxStore } from './store.js';
import type { Ctx } from './resources.js';
import { matchRoute, type Method } from './routes.js';
import { ANALYTICS_ENDPOINTS, handleAnalytics } from './analytics.js';
import { AnalyticsQueue } from './queue.js';

interface Outcome {
  status: number;
  text: string;
  headers: Record<string, string>;
  fault?: SandboxFault;
}

function emptyStats(): SandboxStats {
  return {
    requests: 0,
    byStatus: {},
    rateLimited: 0,
    writes: 0,
    maxInWindow: 0,
    analyticsMaxInWindow: 0,
    faults: { dropped: 0, failed: 0, droppedAfter: 0 },
    messages: { applied: 0, deduplicated: 0 },
    messagesDropped: 0,
  };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Outcome {
  return { status, text: JSON.stringify(body), headers };
}

function errorOutcome(err: unknown): Outcome {
  if (err instanceof HttpError) return answer(err.status, { error: err.message }, err.headers);
  const detail = err instanceof Error ? err.message : String(err);
  return answer(500, { error: `Internal sandbox error: ${detail}` });
}

/** Split a raw path into URL-decoded segments below its first one (`/resources/a/b` -> ['a', 'b']). */
function segments(pathname: string): string[] {
  const segs = pathname.split('/').slice(2);
  if (segs.length > 0 && segs[segs.length - 1] === '') segs.pop();
  try {
    return segs.map((s) => decodeURIComponent(s));
  } catch {
    throw new HttpError(400, 'Malformed percent-encoding in the path');
  }
}

/** Listen, turning a port that cannot be had into a ConfigError (the caller chose it: exit 2). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new ConfigError(`port ${port} on ${host} is already in use: choose another port, or 0 for a free one`));
      else if (err.code === 'EACCES') reject(new ConfigError(`port ${port} on ${host} needs privileges this process lacks: choose a port above 1023`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ConfigError(`host ${host} is not an address of this machine`));
      else reject(err);
    };
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
}

export async function createSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const startedAt = new Date().toISOString();
  const options = resolveOptions(opts, startedAt);
  const store = new SandboxStore(options.admins);
  const ctx: Ctx = { store, options, startedAt };
  const stats = emptyStats();
  const requests: RecordedRequest[] = [];
  const windowOf = (limits: () => RateLimitOptions) =>
    new RateWindow(() => ({ ...limits(), window: options.rateLimitWindow, headers: options.rateLimitHeaders, reset: options.rateLimitReset }), opts.now);
  const restWindow = windowOf(() => options.rateLimit);
  const analyticsWindow = windowOf(() => options.analyticsRateLimit ?? { limit: Infinity, windowMs: 1 });
  const timers = new Set<NodeJS.Timeout>();
  const pending = new AnalyticsQueue(() => options);
  let rng = createRng(options.seed);
  let closed = false;

  const delay = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  function dispatch(req: IncomingMessage, api: 'rest' | 'analytics', rawPath: string, query: URLSearchParams, read: ReadBody): Reply {
    const method = (req.method ?? 'GET') as Method;
    const segs = segments(rawPath);
    const contentType = req.headers['content-type'];
    if (api === 'analytics') {
      const [version, endpoint, ...rest] = segs;
      if (version !== 'v1' || endpoint === undefined || rest.length > 0 || !ANALYTICS_ENDPOINTS.includes(endpoint)) {
        throw new HttpError(404, `Not found: ${rawPath}`);
      }
      if (method !== 'POST') throw new HttpError(405, `Method ${method} not allowed`, { Allow: 'POST' });
      const body = parseBody(read.text, contentType, endpoint === 'batch' ? 'array' : 'object');
      return handleAnalytics(ctx, endpoint, body, { stats, defer: (apply) => pending.defer(apply) });
    }
    if (segs[0] === 'organizations' && !options.organizations) {
      throw new HttpError(403, 'Organizations are not enabled for this workspace');
    }
    const match = matchRoute(segs);
    if (!match) throw new HttpError(404, `Not found: ${rawPath}`);
    const handler = match.routes[method];
    if (!handler) throw new HttpError(405, `Method ${method} not allowed`, { Allow: Object.keys(match.routes).join(', ') });
    const body = () => parseBody(read.text, contentType, 'object') as Record<string, unknown>;
    return handler(ctx, { params: match.params, query, body });
  }

  /** Decide what becomes of one request (applying it if it gets that far). */
  function decide(req: IncomingMessage, read: ReadBody): Outcome & { api: 'rest' | 'analytics' } {
    const rawPath = (req.url ?? '/').split('?')[0] as string;
    const query = new URL(req.url ?? '/', 'http://sandbox').searchParams;
    const api = rawPath === '/analytics' || rawPath.startsWith('/analytics/') ? 'analytics' : 'rest';
    if (api === 'rest' && rawPath !== '/resources' && !rawPath.startsWith('/resources/')) {
      return { api, ...answer(404, { error: `Not found: ${rawPath}` }) };
    }
    const tokens = { token: options.token, analyticsToken: options.analyticsToken };
    const authError = (api === 'rest' ? restAuthError : analyticsAuthError)(req.headers.authorization, tokens);
    if (authError) return { api, ...answer(401, { error: authError }) };

    let headers: Record<string, string> = {};
    const window = api === 'rest' ? restWindow : options.analyticsRateLimit ? analyticsWindow : null;
    if (window) {
      const write = api === 'rest' && req.method !== 'GET';
      const decision = window.take(write ? options.writeCost : 1);
      headers = decision.headers;
      stats.maxInWindow = restWindow.maxInWindow;
      stats.analyticsMaxInWindow = analyticsWindow.maxInWindow;
      if (!decision.allowed) {
        stats.rateLimited += 1;
        if (options.retryAfter) headers = { ...headers, 'Retry-After': String(Math.max(1, decision.resetSeconds)) };
        return { api, ...answer(429, { error: 'Too Many Requests' }, headers) };
      }
    }
    const [drop, fail, dropAfter] = [rng(), rng(), rng()] as [number, number, number];
    if (drop < options.dropRate) return { api, status: 0, text: '', headers, fault: 'drop' };
    if (fail < options.failRate) return { api, ...answer(503, { error: 'Service Unavailable' }, headers), fault: 'fail' };

    let out: Outcome;
    if (read.tooLarge) out = answer(413, { error: 'Body too large (the limit is 1 MiB)' }, headers);
    else {
      try {
        const reply = dispatch(req, api, rawPath, query, read);
        out = answer(reply.status, reply.body, headers);
      } catch (err) {
        out = errorOutcome(err);
        out.headers = { ...headers, ...out.headers };
      }
    }
    if (out.status >= 200 && out.status < 300 && req.method !== 'GET') stats.writes += 1;
    if (dropAfter < options.dropAfterRate) out.fault = 'dropAfter';
    return { api, ...out };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    let read: ReadBody;
    try {
      read = await readBody(req);
    } catch {
      return; // the client went away mid-body
    }
    stats.requests += 1;
    let out: Outcome & { api: 'rest' | 'analytics' };
    try {
      out = decide(req, read);
    } catch (err) {
      out = { api: 'rest', ...errorOutcome(err) };
    }
    if (options.recordRequests) {
      const entry: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', status: out.status, body: read.text, api: out.api, at };
      if (out.fault) entry.fault = out.fault;
      requests.push(entry);
    }
    if (out.fault === 'drop') stats.faults.dropped += 1;
    else if (out.fault === 'dropAfter') stats.faults.droppedAfter += 1;
    else {
      if (out.fault === 'fail') stats.faults.failed += 1;
      stats.byStatus[out.status] = (stats.byStatus[out.status] ?? 0) + 1;
    }
    await delay(options.latencyMs);
    if (res.destroyed) return;
    if (out.fault === 'drop' || out.fault === 'dropAfter') {
      req.socket.destroy();
      return;
    }
    res.writeHead(out.status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(out.text)),
      ...out.headers,
    });
    res.end(out.text);
  }

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${host}:${port}`;

  return {
    url,
    analyticsUrl: url,
    get token() {
      return options.token;
    },
    get analyticsToken() {
      return options.analyticsToken;
    },
    port,
    requests,
    stats,
    store,
    options,
    settled() {
      return pending.settled();
    },
    flush() {
      pending.flush();
    },
    reset() {
      pending.cancel();
      store.clear();
      requests.length = 0;
      Object.assign(stats, emptyStats());
      restWindow.reset();
      analyticsWindow.reset();
      rng = createRng(options.seed);
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      pending.cancel();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
