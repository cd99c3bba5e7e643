/**
 * The settings of a Postgres input (a postgres:// URL): the query (--query or --query-file), the password
 * (the URL, --password-file or PGPASSWORD; never printed) and the scope that --delete-missing mirrors
 * (--scope). Checked here, before anything connects.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { parsePostgresUrl } from '../source/postgres-url.js';
import type { SourceOptions } from '../source/index.js';
import type { InputFormat } from '../types.js';
import type { Env } from './connection.js';

export interface QueryFlags {
  query?: string;
  queryFile?: string;
  passwordFile?: string;
  scope?: string;
}

export interface QueryInput {
  sql: string;
  password?: string | undefined;
  /** --scope: the name under which the state store keeps what this query sent (for --delete-missing). */
  scope?: string | undefined;
  /** The URL without its password: how the input is named everywhere. */
  label: string;
}

const QUERY_FLAGS: ReadonlyArray<[keyof QueryFlags, string]> = [
  ['query', '--query'],
  ['queryFile', '--query-file'],
  ['passwordFile', '--password-file'],
  ['scope', '--scope'],
];

function readSetting(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (err as Error).message})`}`);
  }
}

/** The query settings of a postgres:// input, or undefined for a file; throws ConfigError naming the flag. */
export function resolveQueryInput(input: string, format: InputFormat, flags: QueryFlags, env: Env): QueryInput | undefined {
  if (format !== 'postgres') {
    const given = QUERY_FLAGS.find(([k]) => flags[k] !== undefined);
    if (given) throw new ConfigError(`${given[1]} is for a Postgres input (a postgres:// URL in place of the file)`);
    return undefined;
  }
  const target = parsePostgresUrl(input);
  if (flags.query !== undefined && flags.queryFile !== undefined) throw new ConfigError('Give --query or --query-file, not both');
  if (flags.query === undefined && flags.queryFile === undefined) {
    throw new ConfigError(`Reading ${target.label} needs --query <sql> or --query-file <path>: the rows of that query are the input`, 'CONFIG_MISSING');
  }
  const sql = flags.query ?? readSetting(flags.queryFile!, '--query-file');
  if (sql.trim() === '') throw new ConfigError(`${flags.query !== undefined ? '--query' : `--query-file ${flags.queryFile}`} is empty: it must hold one SQL query`);
  if (target.password !== undefined && flags.passwordFile !== undefined) {
    throw new ConfigError('The Postgres URL already holds a password: drop --password-file, or take the password out of the URL');
  }
  let password = target.password;
  if (flags.passwordFile !== undefined) {
    password = readSetting(flags.passwordFile, '--password-file').replace(/\r?\n$/, '');
    if (password === '') throw new ConfigError(`--password-file ${flags.passwordFile} is empty`);
  }
  password ??= env.PGPASSWORD || undefined;
  if (flags.scope !== undefined && !/^[\w.:@/-]{1,200}$/.test(flags.scope)) {
    throw new ConfigError(`--scope "${flags.scope}": use letters, digits and . _ - : @ / (at most 200)`);
  }
  return { sql, password, scope: flags.scope, label: target.label };
}

/**
 * Where the state store files what a query sent: its --scope when given (so the query can change and
 * --delete-missing still knows its records), else the database and a hash of the query text.
 */
export function querySourceName(q: QueryInput): string {
  if (q.scope !== undefined) return `scope:${q.scope}`;
  return `${q.label} query ${createHash('sha256').update(q.sql).digest('hex').slice(0, 16)}`;
}

/** What the readers are given: the input, its format, and what a query or a column-oriented file needs. */
export function sourceOptions(cfg: {
  input: string;
  format: InputFormat;
  delimiter?: string | undefined;
  ignore: readonly string[];
  query?: QueryInput | undefined;
}): SourceOptions {
  const out: SourceOptions = { path: cfg.input, format: cfg.format };
  if (cfg.delimiter) out.delimiter = cfg.delimiter;
  if (cfg.query) {
    out.query = cfg.query.sql;
    if (cfg.query.password !== undefined) out.password = cfg.query.password;
  }
  if (cfg.ignore.length > 0 && (cfg.format === 'parquet' || cfg.format === 'postgres')) out.ignore = cfg.ignore;
  return out;
}
