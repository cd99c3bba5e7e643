/**
 * Connection settings, resolved once from flags and the environment: where to send, and with which
 * credential. Nothing below the CLI reads process.env. A secret's value never appears in a message.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Connection } from '../types.js';
import { checkSubdomain, restBaseUrl, type Region } from '../vitally/hosts.js';

export interface ConnectionFlags {
  tokenFile?: string;
  region?: string;
  subdomain?: string;
  baseUrl?: string;
}

export type { Connection };

export type Env = Record<string, string | undefined>;

export function resolveRegion(value: string | undefined): Region {
  const v = (value ?? 'us').trim().toLowerCase();
  if (v !== 'us' && v !== 'eu') throw new ConfigError(`--region "${value}" is not known: use us or eu`);
  return v;
}

export function readTokenFile(path: string, setting: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`${setting} ${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? 'error'})`}`, 'CONFIG_MISSING');
  }
  const token = text.trim();
  if (!token) throw new ConfigError(`${setting} ${path} is empty`, 'CONFIG_MISSING');
  if (/[\r\n]/.test(token)) throw new ConfigError(`${setting} ${path} holds more than one line: it must hold the token alone`);
  return token;
}

/** The REST connection. `needToken` is false for a dry run, which sends nothing. */
export function resolveConnection(flags: ConnectionFlags, env: Env, needToken: boolean): Connection {
  const region = resolveRegion(flags.region ?? env.VITALLY_REGION);
  // A subdomain given is checked even when --base-url overrides it: a typo should not wait for a later run.
  if (flags.subdomain !== undefined) checkSubdomain(flags.subdomain);
  const baseUrl = restBaseUrl({
    region,
    subdomain: flags.subdomain ?? env.VITALLY_SUBDOMAIN,
    baseUrl: flags.baseUrl ?? env.VITALLY_BASE_URL,
  });
  const { token, tokenSource } = resolveToken(
    { flag: '--token-file', file: flags.tokenFile, variable: 'VITALLY_API_TOKEN' },
    env,
    needToken
      ? 'No REST API token: set VITALLY_API_TOKEN or pass --token-file <path> (Vitally: Settings > Integrations > REST API). To try without an account, add --sandbox'
      : null,
  );
  return { baseUrl, token, tokenSource };
}

/**
 * A credential from its file flag, else its environment variable. `missing` is the message when neither
 * is set (null: a token is not needed, e.g. on a dry run).
 */
export function resolveToken(
  s: { flag: string; file: string | undefined; variable: string },
  env: Env,
  missing: string | null,
): { token: string; tokenSource: string } {
  if (s.file) return { token: readTokenFile(s.file, s.flag), tokenSource: `the token in ${s.flag} ${s.file}` };
  const fromEnv = env[s.variable]?.trim();
  if (fromEnv) return { token: fromEnv, tokenSource: `the token in ${s.variable}` };
  if (missing) throw new ConfigError(missing, 'CONFIG_MISSING');
  return { token: '', tokenSource: s.variable };
}
