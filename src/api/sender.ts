/** The sender a command uses: transport, pacer and retry policy, built from the run's settings. */
import type { Connection } from '../config/connection.js';
import type { PushConfig } from '../config/push.js';
import { restAuthorization } from '../vitally/auth.js';
import { HttpClient } from '../vitally/http.js';
import { Pacer } from '../vitally/pacer.js';
import { DEFAULT_RETRY } from '../vitally/retry.js';
import { Sender, type Exchange } from '../vitally/sender.js';

export function createSender(
  cfg: Pick<PushConfig, 'net'>,
  { baseUrl, token, tokenSource }: Connection,
  authorize: (token: string) => string = restAuthorization,
  onExchange?: (e: Exchange) => void,
): Sender {
  const http = new HttpClient({
    baseUrl,
    authorization: authorize(token),
    connections: cfg.net.concurrency,
    connectTimeoutMs: cfg.net.connectTimeoutMs,
    timeoutMs: cfg.net.timeoutMs,
    authHint: `${tokenSource[0]!.toUpperCase()}${tokenSource.slice(1)}`,
    proxy: cfg.net.proxy,
  });
  const pacer = new Pacer({ ratePerMinute: cfg.net.ratePerMinute, concurrency: cfg.net.concurrency, maxWaitMs: cfg.net.maxWaitMs });
  return new Sender(http, pacer, { ...DEFAULT_RETRY, maxRetries: cfg.net.maxRetries, baseMs: cfg.net.retryBaseMs, maxMs: cfg.net.maxWaitMs }, onExchange);
}
