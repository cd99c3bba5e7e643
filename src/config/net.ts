/** How requests are sent: pacing, retries, timeouts and proxies, with their defaults. */
import { DEFAULT_CONCURRENCY } from '../vitally/inflight.js';
import { proxySettings, type ProxySettings } from '../vitally/proxy.js';
import type { Env } from './connection.js';
import { Settings } from './sources.js';

export interface NetSettings {
  /** The most requests in flight; the pacer keeps rate x latency in flight below it (vitally/inflight.ts). */
  concurrency: number;
  ratePerMinute: number;
  maxRetries: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** First retry backoff step (doubles per attempt, full jitter); hidden flag --retry-base-ms. */
  retryBaseMs: number;
  /** The longest single wait (a retry's, or a pause a server's headers ask for); hidden flag --max-wait-ms. */
  maxWaitMs: number;
  /** The proxies of the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). */
  proxy: ProxySettings;
}

const NET_DEFAULTS = {
  concurrency: DEFAULT_CONCURRENCY,
  rate: 1000,
  maxRetries: 5,
  timeout: 30_000,
  connectTimeout: 10_000,
  retryBaseMs: 500,
  maxWaitMs: 60_000,
};

/**
 * The network settings: from the run's settings, or (for a command without them: fields, init) from
 * flags alone (an undefined one is not given) and the environment's proxies.
 */
export function resolveNet(given: Settings | Partial<Record<keyof typeof NET_DEFAULTS, string | undefined>>, env: Env = {}): NetSettings {
  const s = given instanceof Settings ? given : new Settings({ flags: given, env });
  const n = (name: keyof typeof NET_DEFAULTS) => s.get<number>(name) ?? NET_DEFAULTS[name];
  return {
    concurrency: n('concurrency'),
    ratePerMinute: n('rate'),
    maxRetries: n('maxRetries'),
    timeoutMs: n('timeout'),
    connectTimeoutMs: n('connectTimeout'),
    retryBaseMs: n('retryBaseMs'),
    maxWaitMs: n('maxWaitMs'),
    proxy: proxySettings(s.sources.env),
  };
}
