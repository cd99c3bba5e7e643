/**
 * Secrets kept out of the config file: it is meant to be committed and shared, so a value that looks
 * like a token stops the load before anything is sent.
 */
import { ConfigError } from '../errors.js';

const SECRET_KEY = /token|api[-_]?key|secret|passw(or)?d|authori[sz]ation|credential/i;
const SECRET_VALUE = /^(sk_[A-Za-z0-9_]{8,}|basic\s+[A-Za-z0-9+/=_-]{8,})$/i;
/** A postgres:// URL holding a password (user:password@, or a password parameter). */
const URL_WITH_PASSWORD = /^postgres(ql)?:\/\/([^/@?#]*:[^/@?#]+@|.*[?&]password=)/i;

/** Paths of values that look like a secret: a token-like key holding a value, or a token-like value. */
export function findSecrets(value: unknown, path: string[] = []): string[] {
  const found: string[] = [];
  if (typeof value === 'string') {
    if (SECRET_VALUE.test(value.trim()) || URL_WITH_PASSWORD.test(value.trim())) found.push(path.join('.'));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => found.push(...findSecrets(v, [...path, String(i)])));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const holdsValue = v !== null && v !== undefined && v !== '' && typeof v !== 'boolean';
      // tokenFile and analyticsTokenFile name a file: that is where a secret belongs.
      if (SECRET_KEY.test(k) && !/file$/i.test(k) && holdsValue && typeof v !== 'object') found.push([...path, k].join('.'));
      else found.push(...findSecrets(v, [...path, k]));
    }
  }
  return found;
}

/** Throws when the parsed content of the config file at `path` holds what looks like a secret. */
export function refuseSecrets(raw: unknown, path: string): void {
  const secrets = findSecrets(raw);
  if (secrets.length === 0) return;
  throw new ConfigError(
    `${path}: "${secrets[0]}" holds what looks like a secret, and secrets do not belong in the config file (it is meant to be committed and shared). ` +
      'Remove it, then set VITALLY_API_TOKEN (VITALLY_ANALYTICS_TOKEN for the Analytics API) in the environment, ' +
      'or put the token alone in a file only you can read and name that file with "tokenFile" ("analyticsTokenFile") under "connection". ' +
      'A database password goes in PGPASSWORD, or alone in a file named by "passwordFile" in the sync, not in the URL. Nothing was sent',
  );
}
