/**
 * The one cheap request `doctor` sends to each API, and its outcome as a `Probe`. Nothing is created:
 * REST gets GET /resources/accounts?limit=1, Analytics an empty batch.
 */
import { ApiError, AuthError, ConfigError, errorMessage } from '../../errors.js';
import { TOKEN_PROBE } from '../../vitally/features.js';
import { HttpClient } from '../../vitally/http.js';
import { NO_PROXIES, type ProxySettings } from '../../vitally/proxy.js';

export type Probe =
  | { kind: 'answer'; status: number; ms: number; headers: Record<string, string>; json: unknown }
  | { kind: 'refused'; status: number }
  | { kind: 'error'; status: number; detail: string; redirect?: string }
  | { kind: 'dns' }
  | { kind: 'network'; detail: string; timeout: boolean };

interface ProbeRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export const REST_PROBE = TOKEN_PROBE;
export const ANALYTICS_PROBE = { method: 'POST', path: '/analytics/v1/batch', body: '[]' } as const;

/** `accepted`: the credential got through authentication (a 400 on the empty batch says so too). */
export const accepted = (p: Probe) => p.kind === 'answer' || (p.kind === 'error' && p.status >= 400 && p.status < 500 && p.status !== 404);

/** One request per (API, host, credential): the probes a diagnosis repeats are asked once. */
export class Prober {
  private readonly cache = new Map<string, Promise<Probe>>();
  private readonly clients: HttpClient[] = [];
  constructor(
    private readonly timeoutMs: number,
    private readonly proxy: ProxySettings = NO_PROXIES,
  ) {}

  rest(baseUrl: string, authorization: string): Promise<Probe> {
    return this.ask(baseUrl, authorization, REST_PROBE);
  }

  analytics(baseUrl: string, authorization: string): Promise<Probe> {
    return this.ask(baseUrl, authorization, ANALYTICS_PROBE);
  }

  private ask(baseUrl: string, authorization: string, req: ProbeRequest): Promise<Probe> {
    const key = `${req.method} ${baseUrl}${req.path} ${authorization}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.send(baseUrl, authorization, req);
      this.cache.set(key, p);
    }
    return p;
  }

  private async send(baseUrl: string, authorization: string, req: ProbeRequest): Promise<Probe> {
    let http: HttpClient;
    try {
      http = new HttpClient({
        baseUrl,
        authorization,
        connections: 1,
        connectTimeoutMs: this.timeoutMs,
        timeoutMs: this.timeoutMs,
        authHint: 'The token',
        proxy: this.proxy,
      });
    } catch (err) {
      return { kind: 'network', detail: errorMessage(err), timeout: false };
    }
    this.clients.push(http);
    const started = Date.now();
    try {
      const res = await http.send(req);
      return { kind: 'answer', status: res.status, ms: Date.now() - started, headers: res.headers, json: res.json };
    } catch (err) {
      if (err instanceof AuthError) return { kind: 'refused', status: err.status };
      if (err instanceof ApiError && err.code === 'API_REDIRECT') {
        const to = err.headers.location ?? '(no Location)';
        return { kind: 'error', status: err.status, detail: `a redirect to ${to}, not followed (the token goes to the configured host only)`, redirect: to };
      }
      if (err instanceof ApiError) return { kind: 'error', status: err.status, detail: err.detail || 'no details' };
      if (err instanceof ConfigError) return { kind: 'dns' };
      const code = (err as { code?: string }).code;
      return { kind: 'network', detail: errorMessage(err).replace(/^(GET|POST) \S+: /, ''), timeout: code === 'TIMEOUT' };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.destroy().catch(() => {})));
  }
}
