/**
 * The settings of a Postgres input (a postgres:// URL): the query (--query or --query-file) and the
 * password (the URL, --password-file or PGPASSWORD; never printed), checked before anything connects;
 * and the read itself, which loads pg only then.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { SourceRecord } from '../types.js';
import { parsePostgresUrl } from './postgres-url.js';
import type { ReaderConfig, ReaderContext } from './reader.js';

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`${flag} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (err as Error).message})`}`);
  }
}

/**
 * The query settings of a postgres:// input: the SQL and password read() needs, the password as a secret,
 * and where the state store files what the query sent when the run names no scope (--scope, a sync's
 * name): the database and a hash of the query text, which --delete-missing cannot follow (a changed
 * query is a new source).
 */
export function configureQuery(input: string, settings: Readonly<Record<string, unknown>>, env: Readonly<Record<string, string | undefined>>): ReaderConfig {
  const target = parsePostgresUrl(input);
  const { query, queryFile, passwordFile } = settings as { query?: string; queryFile?: string; passwordFile?: string };
  if (query !== undefined && queryFile !== undefined) throw new ConfigError('Give --query or --query-file, not both');
  if (query === undefined && queryFile === undefined) {
    throw new ConfigError(`Reading ${target.label} needs --query <sql> or --query-file <path>: the rows of that query are the input`, 'CONFIG_MISSING');
  }
  // A byte-order mark (SQL editors on Windows write one) is no part of the query: Postgres would refuse it.
  const sql = query ?? readText(queryFile!, '--query-file').replace(/^\uFEFF/, '');
  if (sql.trim() === '') throw new ConfigError(`${query !== undefined ? '--query' : `--query-file ${queryFile}`} is empty: it must hold one SQL query`);
  if (target.password !== undefined && passwordFile !== undefined) {
    throw new ConfigError('The Postgres URL already holds a password: drop --password-file, or take the password out of the URL');
  }
  let password = target.password;
  if (passwordFile !== undefined) {
    password = readText(passwordFile, '--password-file').replace(/\r?\n$/, '');
    if (password === '') throw new ConfigError(`--password-file ${passwordFile} is empty`);
  }
  password ??= env.PGPASSWORD || undefined;
  return {
    values: { query: sql, ...(password !== undefined ? { password } : {}) },
    secrets: password !== undefined ? [password] : [],
    sourceName: `${target.label} query ${createHash('sha256').update(sql).digest('hex').slice(0, 16)}`,
    label: target.label,
    saved: target.url,
    noMirror:
      '--delete-missing on a query needs --scope <name>: the name under which the state store keeps what this query sent, so the records its rows no longer hold can be found (and the query text can change)',
  };
}

/** The rows of the query (settings.query) on the database of the postgres:// input. */
export async function readQuery(ctx: ReaderContext): Promise<AsyncGenerator<SourceRecord[]>> {
  const target = parsePostgresUrl(ctx.input);
  const sql = ctx.settings.query as string | undefined;
  if (sql === undefined) throw new ConfigError(`Reading ${target.label} needs --query <sql> or --query-file <path>: the rows of that query are the input`);
  const { readPostgresBatches } = await import('./postgres.js');
  return readPostgresBatches({
    url: target.url,
    password: (ctx.settings.password as string | undefined) ?? target.password,
    label: target.label,
    sql,
    signal: ctx.signal,
    ignore: ctx.ignore,
  });
}
