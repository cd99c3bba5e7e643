/**
 * Authorization headers. REST: HTTP Basic with the secret token as user name and an empty password
 * (base64 of `token:`); a value pasted as `Basic ...` (the ready-made header Vitally offers) is sent as
 * is, and so is the base64 half of that header pasted alone (a value that decodes to `<token>:`, as
 * several integrations store it). Analytics: `Basic <token>` with the token verbatim, as Vitally's
 * Analytics docs show.
 */
import { ConfigError } from '../errors.js';

export function restAuthorization(token: string): string {
  const t = cleanToken(token, 'REST API token');
  if (/^basic\s+/i.test(t)) return `Basic ${t.replace(/^basic\s+/i, '')}`;
  // Already the credential: encoding it again would send base64 of base64, which Vitally refuses (401).
  if (base64Header(t)) return `Basic ${t}`;
  return `Basic ${Buffer.from(`${t}:`).toString('base64')}`;
}

/**
 * The value is base64 of `something:` (the half of a "Basic" header after "Basic "). A secret token
 * (`sk_...`) never is: `_` is not a base64 character.
 */
export function base64Header(token: string): boolean {
  if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(token) || token.length % 4 !== 0) return false;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  return /^[\x21-\x7e]+:$/.test(decoded);
}

export function analyticsAuthorization(token: string): string {
  const t = cleanToken(token, 'Analytics API token');
  return /^basic\s+/i.test(t) ? `Basic ${t.replace(/^basic\s+/i, '')}` : `Basic ${t}`;
}

function cleanToken(token: string, what: string): string {
  const t = token.trim();
  if (!t) throw new ConfigError(`The ${what} is empty`, 'CONFIG_MISSING');
  if (/[\r\n]/.test(t)) throw new ConfigError(`The ${what} holds a line break: copy it again as one line`);
  return t;
}
