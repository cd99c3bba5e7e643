/**
 * A Postgres connection URL as the input: recognised by its scheme, split into what connects and the
 * password, and shown without the password wherever it is named (errors, the summary, the state store).
 * Loads nothing of pg.
 */
import { ConfigError } from '../errors.js';

const SCHEME = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(input: string): boolean {
  return SCHEME.test(input);
}

export interface PostgresTarget {
  /** The URL to connect with, its password taken out (pg would let a password in the URL win). */
  url: string;
  /** The password the URL held (user info or a `password` parameter), if any. */
  password: string | undefined;
  /** How the input is named to the user: scheme, user, host, port, database; no password, no parameters. */
  label: string;
}

/** A percent-encoded part of the URL, decoded; a bare `%` (`50%off`) is a ConfigError that does not repeat the part. */
function decoded(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigError(`The ${what} in the Postgres URL is not percent-encoded: write each % in it as %25 (and @ : / ? # as %40 %3A %2F %3F %23)`);
  }
}

/** Splits a postgres:// URL; a URL that does not parse is a ConfigError that does not repeat it (it may hold a password). */
export function parsePostgresUrl(input: string): PostgresTarget {
  let u: URL;
  try {
    u = new URL(input);
  } catch {
    throw new ConfigError('The Postgres URL cannot be read: write it as postgres://user@host:5432/database (a password in it must be percent-encoded)');
  }
  let password = u.password === '' ? undefined : decoded(u.password, 'password');
  decoded(u.username, 'user name');
  const param = u.searchParams.get('password');
  if (param !== null) {
    password ??= param;
    u.searchParams.delete('password');
  }
  u.password = '';
  const label = `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  return { url: u.toString(), password, label };
}
