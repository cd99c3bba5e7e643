/**
 * Where requests go. US tenants: https://<subdomain>.rest.vitally.io; EU: https://rest.vitally-eu.io.
 * --base-url overrides both (the sandbox, a proxy, a legacy host); plain http only to loopback.
 */
import { ConfigError } from '../errors.js';

export type Region = 'us' | 'eu';

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** Validate and normalise a base URL (no trailing slash). */
export function checkBaseUrl(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${setting} "${value}" is not a URL (expected e.g. https://acme.rest.vitally.io)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${setting} must be an https:// URL, not ${url.protocol}`);
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new ConfigError(
      `${setting} uses plain http to ${url.hostname}: the token would travel unencrypted; use https (http is allowed only to 127.0.0.1/localhost)`,
    );
  }
  if (url.search || url.hash) throw new ConfigError(`${setting} must not carry a query string or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** The subdomain as typed, or pulled out of a pasted URL such as https://acme.vitally.io/... */
export function checkSubdomain(value: string): string {
  let v = value.trim();
  const m = /^(?:https?:\/\/)?([^./]+)\.(?:rest\.|api\.)?vitally(?:-eu)?\.io/i.exec(v);
  if (m) v = m[1]!;
  if (!SUBDOMAIN.test(v)) {
    throw new ConfigError(`--subdomain "${value}" is not valid: use the part before .vitally.io in your Vitally login URL (letters, digits and '-')`);
  }
  return v.toLowerCase();
}

export interface HostSettings {
  region: Region;
  subdomain?: string | undefined;
  baseUrl?: string | undefined;
}

export function restBaseUrl(s: HostSettings): string {
  if (s.baseUrl) return checkBaseUrl(s.baseUrl, '--base-url');
  if (s.region === 'eu') return 'https://rest.vitally-eu.io';
  if (!s.subdomain) {
    throw new ConfigError(
      'US tenants need --subdomain (or VITALLY_SUBDOMAIN): the part before .vitally.io in your Vitally login URL. EU tenants: --region eu',
      'CONFIG_MISSING',
    );
  }
  return `https://${checkSubdomain(s.subdomain)}.rest.vitally.io`;
}
