/**
 * Authorization headers. REST: HTTP Basic with the secret token as user name and an empty password
 * (base64 of `token:`); a value pasted as `Basic ...` (the ready-made header Vitally offers) is sent as
 * is. Analytics: `Basic <token>` with the token verbatim, as Vitally's Analytics docs show.
 */
import { ConfigError } from '../errors.js';

export function restAuthorization(token: string): string {
  const t = cleanToken(token, 'REST API token');
  if (/^basic\s+/i.test(t)) return `Basic ${t.replace(/^basic\s+/i, '')}`;
  return `Basic ${Buffer.from(`${t}:`).toString('base64')}`;
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
