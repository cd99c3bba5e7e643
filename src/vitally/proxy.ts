/**
 * Proxies, as curl and gh read them from the environment: `HTTPS_PROXY` for https:// hosts, `HTTP_PROXY`
 * for http:// hosts (each also in lower case, which wins when both are set), and `NO_PROXY` for the hosts
 * reached directly. A `NO_PROXY` entry is `*` (every host), a host name that also covers its subdomains
 * (`example.com`, `.example.com`, `*.example.com`), or an address, each optionally with `:port`.
 *
 * Each HttpClient asks `proxyFor` once, for its own base URL, and sends through undici's ProxyAgent (a
 * CONNECT tunnel) when a proxy applies. undici's EnvHttpProxyAgent makes the same choice per request,
 * but does not say which proxy it chose, and `doctor` must say it; it also falls back from HTTPS_PROXY to
 * HTTP_PROXY for https:// hosts, which curl and gh do not.
 *
 * A proxy URL may hold a user name and password (`http://user:secret@proxy:3128`): the password is a
 * secret like the token (`secrets`), and `shown` prints the URL with it replaced by `***`.
 */
import { ConfigError } from '../errors.js';

export interface ProxyServer {
  /** The proxy's URL as given, credentials included: for the ProxyAgent only. */
  url: string;
  /** The URL as printed: its password replaced by ***. */
  shown: string;
  /** The variable it came from (HTTPS_PROXY, http_proxy, ...). */
  variable: string;
}

export interface ProxySettings {
  https: ProxyServer | null;
  http: ProxyServer | null;
  /** The hosts reached directly (NO_PROXY), as given; '' when none. */
  noProxy: string;
  /** The variable NO_PROXY came from, when set. */
  noProxyVariable: string | null;
  /** What must never be printed: each proxy's password, and its `user:password` (the Proxy-Authorization credential). */
  secrets: string[];
}

export const NO_PROXIES: ProxySettings = { https: null, http: null, noProxy: '', noProxyVariable: null, secrets: [] };

/** The first of the variables that is set (not empty), lower case first. */
function variable(env: Record<string, string | undefined>, name: string): { name: string; value: string } | null {
  for (const n of [name.toLowerCase(), name]) {
    const v = env[n]?.trim();
    if (v) return { name: n, value: v };
  }
  return null;
}

function server(env: Record<string, string | undefined>, name: string, secrets: string[]): ProxyServer | null {
  const found = variable(env, name);
  if (!found) return null;
  // curl takes a bare host:port as an http:// proxy.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value) ? found.value : `http://${found.value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${found.name} is not a URL: give it as http://host:port (or http://user:password@host:port)`, 'CONFIG_INVALID_PROXY');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${found.name}: a ${url.protocol.replace(/:$/, '')}:// proxy is not supported: use an http:// or https:// proxy`,
      'CONFIG_INVALID_PROXY',
    );
  }
  let shown = text;
  if (url.password) {
    const password = decodeURIComponent(url.password);
    secrets.push(password, url.password, `${decodeURIComponent(url.username)}:${password}`);
    const masked = new URL(text);
    masked.password = '***';
    shown = masked.href.replace('%2A%2A%2A', '***');
  }
  return { url: text, shown, variable: found.name };
}

/** The proxy passwords of an environment, whatever else is wrong with its variables (never throws). */
export function proxySecrets(env: Record<string, string | undefined>): string[] {
  const secrets: string[] = [];
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY']) {
    try {
      server(env, name, secrets);
    } catch {
      // A variable that is no URL holds no password to find; proxySettings reports it.
    }
  }
  return secrets;
}

/** The proxy settings of an environment (a plain object: the CLI hands over its own). */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const secrets: string[] = [];
  const https = server(env, 'HTTPS_PROXY', secrets);
  const http = server(env, 'HTTP_PROXY', secrets);
  const no = variable(env, 'NO_PROXY');
  return { https, http, noProxy: no?.value ?? '', noProxyVariable: no?.name ?? null, secrets };
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

/** Whether NO_PROXY names the host of `target` (or every host). */
export function bypassed(target: URL, noProxy: string): boolean {
  // Brackets are kept around an IPv6 address, as NO_PROXY writes it.
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || DEFAULT_PORTS[target.protocol] || 0;
  for (const entry of noProxy.split(/[,\s]+/)) {
    if (!entry) continue;
    if (entry === '*') return true;
    const m = /^(.+):(\d+)$/.exec(entry);
    if (m && Number(m[2]) !== port) continue;
    const name = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (host === name || host.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy a request to `target` goes through, or null to connect directly. */
export function proxyFor(target: string, p: ProxySettings): ProxyServer | null {
  const url = new URL(target);
  const proxy = url.protocol === 'https:' ? p.https : url.protocol === 'http:' ? p.http : null;
  if (!proxy || bypassed(url, p.noProxy)) return null;
  return proxy;
}

/** What `doctor` prints about the proxy of one host. */
export function describeProxy(target: string, p: ProxySettings): string {
  const proxy = proxyFor(target, p);
  if (proxy) return `${proxy.shown} (${proxy.variable}) for ${target}`;
  const wanted = new URL(target).protocol === 'https:' ? p.https : p.http;
  if (wanted) return `none for ${target}: ${p.noProxyVariable ?? 'NO_PROXY'} names its host`;
  return `none for ${target} (${new URL(target).protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY'} is not set)`;
}
