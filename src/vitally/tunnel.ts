/**
 * The dispatcher of an HttpClient behind a proxy: undici's ProxyAgent, a CONNECT tunnel per connection,
 * with the client's own limits (connections, keep-alive, answer timeouts). The tunnel replaces undici's
 * `connect`, so the connect timeout is given three times over: to the socket to the proxy, to the
 * proxy's answer to CONNECT, and to the TLS handshake with the host behind it.
 */
import { Pool, ProxyAgent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { ProxyServer } from './proxy.js';

export interface PoolLimits {
  connections: number;
  pipelining: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
}

export function throughProxy(proxy: ProxyServer, limits: PoolLimits, connectTimeoutMs: number): Dispatcher {
  return new ProxyAgent({
    ...limits,
    uri: proxy.url,
    proxyTls: { timeout: connectTimeoutMs },
    requestTls: { timeout: connectTimeoutMs },
    clientFactory: (origin: URL, o: object) => tunnelPool(origin, o, connectTimeoutMs),
  });
}

/**
 * The connections to the proxy itself, which carry the CONNECT requests. A request waits for its tunnel
 * before it can be aborted, so a proxy that never answers CONNECT would hold it past every timeout: the
 * answer must come within the connect timeout, or the tunnel fails as a connection that took too long.
 */
function tunnelPool(origin: URL, opts: object, timeoutMs: number): Dispatcher {
  const pool = new Pool(origin, { ...opts, headersTimeout: timeoutMs });
  const connect = pool.connect.bind(pool) as (o: Dispatcher.ConnectOptions) => Promise<Dispatcher.ConnectData>;
  return Object.assign(pool, {
    connect: async (o: Dispatcher.ConnectOptions) => {
      try {
        return await connect(o);
      } catch (err) {
        throw err instanceof undiciErrors.HeadersTimeoutError ? new undiciErrors.ConnectTimeoutError('the proxy did not answer CONNECT in time') : err;
      }
    },
  });
}
