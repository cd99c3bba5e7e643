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

/** Replace every occurrence of the secrets (and their encoded forms) in a text with ***. */
export function makeRedactor(secrets: Array<string | undefined>): (text: string) => string {
  const needles = new Set<string>();
  // A token pasted as a ready-made "Basic <base64>" header hides the raw token: redact that too.
  for (const s of withDecodedSecrets(secrets)) {
    const t = s?.trim().replace(/^basic\s+/i, '');
    if (!t || t.length < 4) continue;
    needles.add(t);
    needles.add(Buffer.from(`${t}:`).toString('base64'));
    needles.add(Buffer.from(t).toString('base64'));
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const n of list) if (out.includes(n)) out = out.split(n).join('***');
    return out;
  };
}

/**
 * The secrets plus what a "Basic <base64>" value (or a bare base64 of "token:") hides: the token itself,
 * which Vitally may echo back. Hand the result to makeRedactor.
 */
export function withDecodedSecrets(secrets: Array<string | undefined>): string[] {
  const out: string[] = [];
  for (const s of secrets) {
    const t = s?.trim();
    if (!t) continue;
    out.push(t);
    const b64 = t.replace(/^basic\s+/i, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const decoded = Buffer.from(b64, 'base64').toString('utf8');
    if (/^[\x21-\x7e]{4,}:$/.test(decoded)) out.push(decoded.slice(0, -1));
  }
  return out;
}
