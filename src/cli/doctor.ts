/**
 * `vitally-sync doctor`: check the settings a sync would use (config file, token, region, subdomain,
 * host) with one cheap request to each API, and say exactly what to fix.
 *
 * - REST: GET /resources/accounts?limit=1. Analytics (when a token is configured): POST
 *   /analytics/v1/batch with an empty batch, which creates nothing; 200 or 400 means the token was
 *   accepted, 401 that it was not.
 * - A refused token is diagnosed by trying the same value the other ways it could have been meant (the
 *   other API's form, the other token, the other region's host), because Vitally's 401 says nothing more.
 *   Only Vitally's own hosts (or the ones configured) are ever asked.
 *
 * Exit codes: 0 all is well (warnings allowed), 2 a configuration problem (missing or malformed setting,
 * unknown host, wrong region, nothing answering), 3 a token refused, 1 the service failed (5xx, timeout).
 */
import type { Command } from 'commander';
import ora, { type Ora } from 'ora';
import { readTokenFile, resolveRegion, type Env } from '../config/connection.js';
import { resolveAnalyticsConnection } from '../config/analytics.js';
import { connectionFlags, resolveConfigFile, type ConfigFile } from '../config/file.js';
import { intFlag } from '../config/numbers.js';
import { ApiError, AuthError, ConfigError, errorMessage } from '../errors.js';
import { analyticsAuthorization, makeRedactor, restAuthorization } from '../vitally/auth.js';
import { checkSubdomain, restBaseUrl } from '../vitally/hosts.js';
import { HttpClient } from '../vitally/http.js';
import { parseRateLimit } from '../vitally/ratelimit-headers.js';
import { EXIT, type CliIO } from './io.js';
import { colorWanted } from './progress.js';

export interface DoctorFlags {
  config?: string | boolean;
  tokenFile?: string;
  region?: string;
  subdomain?: string;
  baseUrl?: string;
  analyticsTokenFile?: string;
  analyticsBaseUrl?: string;
  timeout?: string;
  json?: boolean;
}

/** Vitally's REST hosts per region (injectable so tests can stand a sandbox in for a region). */
export interface RegionHosts {
  us(subdomain: string): string;
  eu: string;
}

export const VITALLY_REST_HOSTS: RegionHosts = { us: (s) => `https://${s}.rest.vitally.io`, eu: 'https://rest.vitally-eu.io' };

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';
export type Problem = 'config' | 'auth' | 'service';

export interface Check {
  id: 'config' | 'token' | 'host' | 'rest' | 'analytics';
  title: string;
  status: CheckStatus;
  problem?: Problem;
  detail: string;
  fix?: string;
}

type Probe =
  | { kind: 'answer'; status: number; ms: number; headers: Record<string, string>; json: unknown }
  | { kind: 'refused'; status: number }
  | { kind: 'error'; status: number; detail: string }
  | { kind: 'dns' }
  | { kind: 'network'; detail: string; timeout: boolean };

const REST_PROBE = { method: 'GET', path: '/resources/accounts?limit=1' } as const;
const ANALYTICS_PROBE = { method: 'POST', path: '/analytics/v1/batch', body: '[]' } as const;

/** `accepted`: the credential got through authentication (a 400 on the empty batch says so too). */
const accepted = (p: Probe) => p.kind === 'answer' || (p.kind === 'error' && p.status >= 400 && p.status < 500 && p.status !== 404);

export function registerDoctorCommand(program: Command, io: CliIO, exit: (code: number) => void): Command {
  return program
    .command('doctor')
    .description('Check the token, region, subdomain and hosts with one cheap request per API, and say what to fix')
    .option('--config <file>', 'the config file (default: vitally-sync.config.json, .yaml or .yml in this folder)')
    .option('--no-config', 'ignore any config file')
    .option('--token-file <path>', 'read the REST API token from a file (default: VITALLY_API_TOKEN)')
    .option('--region <region>', 'us or eu (default: VITALLY_REGION or us)')
    .option('--subdomain <name>', 'your Vitally subdomain, required for US (default: VITALLY_SUBDOMAIN)')
    .option('--base-url <url>', 'override the REST host (default: VITALLY_BASE_URL)')
    .option('--analytics-token-file <path>', 'read the Analytics API token from a file (default: VITALLY_ANALYTICS_TOKEN)')
    .option('--analytics-base-url <url>', 'the Analytics API host (default: VITALLY_ANALYTICS_BASE_URL, or from region and subdomain)')
    .option('--timeout <ms>', 'time allowed for each answer (default 10000)')
    .option('--json', 'print the verdict as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ vitally-sync doctor
  $ VITALLY_REGION=eu vitally-sync doctor --json
  $ vitally-sync doctor --config ci/vitally-sync.config.yaml
  $ VITALLY_ANALYTICS_TOKEN=... vitally-sync doctor      # checks the Analytics API too

Nothing is created: REST gets GET /resources/accounts?limit=1, Analytics an empty batch.
Exit codes: 0 all is well, 2 a configuration problem (missing token, unknown subdomain, wrong region or
host), 3 a token refused, 1 Vitally failed to answer (5xx, timeout).`,
    )
    .action(async (opts: DoctorFlags) => exit(await doctorCommand(opts, io)));
}

export async function doctorCommand(flags: DoctorFlags, io: CliIO, opts: { hosts?: RegionHosts; cwd?: string } = {}): Promise<number> {
  const checks = await diagnose(flags, io, opts);
  const code = exitCodeOf(checks);
  const redact = makeRedactor([io.env.VITALLY_API_TOKEN, io.env.VITALLY_ANALYTICS_TOKEN]);
  if (flags.json) {
    io.stdout.write(`${redact(JSON.stringify({ ok: code === EXIT.ok, exitCode: code, checks }))}\n`);
  } else {
    const warnings = checks.filter((c) => c.status === 'warn').length;
    const fails = checks.filter((c) => c.status === 'fail').length;
    io.stdout.write(
      redact(
        `\n${
          fails === 0
            ? `All good${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''} above)` : ''}: vitally-sync can reach Vitally with these settings.`
            : `${fails} problem${fails > 1 ? 's' : ''}: do what the "fix:" line${fails > 1 ? 's say' : ' says'}, then run vitally-sync doctor again.`
        }\n`,
      ),
    );
  }
  return code;
}

export function exitCodeOf(checks: Check[]): number {
  const fails = checks.filter((c) => c.status === 'fail');
  if (fails.some((c) => c.problem === 'auth')) return EXIT.auth;
  if (fails.some((c) => c.problem === 'config')) return EXIT.usage;
  return fails.length > 0 ? EXIT.rowsFailed : EXIT.ok;
}

/** Run every check; prints each line as it is decided (human mode) and returns them all. */
export async function diagnose(flags: DoctorFlags, io: CliIO, opts: { hosts?: RegionHosts; cwd?: string } = {}): Promise<Check[]> {
  const env = io.env;
  const hosts = opts.hosts ?? VITALLY_REST_HOSTS;
  const checks: Check[] = [];
  const redact = makeRedactor([env.VITALLY_API_TOKEN, env.VITALLY_ANALYTICS_TOKEN]);
  const color = !flags.json && colorWanted(io.stdout, env);
  const add = (c: Check) => {
    checks.push(c);
    if (!flags.json) io.stdout.write(redact(formatCheck(c, color)));
  };
  const timeoutMs = intFlag(flags.timeout, '--timeout', 10_000, 100, 120_000);
  const spinner = new Spinner(io, Boolean(flags.json), env);
  const probes = new Prober(timeoutMs);

  // 1. The config file.
  let file: ConfigFile | null = null;
  try {
    file = resolveConfigFile(flags.config, opts.cwd ?? process.cwd());
    add(
      file
        ? { id: 'config', title: 'config file', status: 'ok', detail: `${file.path} (${file.order.length} sync${file.order.length === 1 ? '' : 's'}: ${file.order.join(', ') || 'none'})` }
        : { id: 'config', title: 'config file', status: 'skip', detail: flags.config === false ? 'ignored (--no-config)' : 'none here: settings come from flags and the environment' },
    );
  } catch (err) {
    add({ id: 'config', title: 'config file', status: 'fail', problem: 'config', detail: errorMessage(err), fix: 'Correct the file (see docs/config.md); the checks below ignore it' });
  }
  const defined = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)) as DoctorFlags;
  const s: DoctorFlags = { ...(file ? connectionFlags(file, env) : {}), ...defined };

  // 2. The REST token.
  let token: string | undefined;
  let tokenName = 'VITALLY_API_TOKEN';
  try {
    if (s.tokenFile) {
      token = readTokenFile(s.tokenFile, '--token-file');
      tokenName = `the token in ${s.tokenFile}`;
    } else if (env.VITALLY_API_TOKEN?.trim()) token = env.VITALLY_API_TOKEN.trim();
    if (token === undefined) {
      add({
        id: 'token',
        title: 'REST token',
        status: 'fail',
        problem: 'config',
        detail: 'none: VITALLY_API_TOKEN is not set and no --token-file was given',
        fix: 'Copy the Secret Token of a REST API key (Vitally: Settings > Integrations > REST API) into VITALLY_API_TOKEN, or into a file named by --token-file ("tokenFile" in the config file)',
      });
    } else {
      add({ id: 'token', title: 'REST token', status: 'ok', detail: `from ${tokenName}; ${tokenShape(token)}` });
    }
  } catch (err) {
    add({ id: 'token', title: 'REST token', status: 'fail', problem: 'config', detail: errorMessage(err), fix: 'Point --token-file ("tokenFile") at a readable file holding the token alone' });
  }

  // 3. The REST host: region, subdomain or base URL.
  const override = s.baseUrl ?? env.VITALLY_BASE_URL;
  const overrideName = s.baseUrl ? (file && !flags.baseUrl ? `"baseUrl" in ${file.path}` : '--base-url') : 'VITALLY_BASE_URL';
  let region: 'us' | 'eu' = 'us';
  let subdomain: string | undefined;
  let restBase: string | undefined;
  let subdomainMissing = false;
  try {
    region = resolveRegion(s.region ?? env.VITALLY_REGION);
    const sub = s.subdomain ?? env.VITALLY_SUBDOMAIN;
    subdomain = sub ? checkSubdomain(sub) : undefined;
    const checked = restBaseUrl({ region, subdomain, baseUrl: override });
    restBase = override ? checked : region === 'eu' ? hosts.eu : hosts.us(subdomain!);
    const where = override ? `set by ${overrideName}` : region === 'eu' ? 'region eu' : `region us, subdomain ${subdomain}`;
    const warn = !override && region === 'eu' && subdomain ? ' (the subdomain is not used in the EU: its host is shared)' : '';
    add({ id: 'host', title: 'REST host', status: 'ok', detail: `${restBase} (${where})${warn}` });
  } catch (err) {
    subdomainMissing = err instanceof ConfigError && err.code === 'CONFIG_MISSING';
    add({ id: 'host', title: 'REST host', status: 'fail', problem: 'config', detail: errorMessage(err), fix: hostFix(err) });
  }

  // The other region's host, to try when this one does not know the token (never with a base URL override).
  const otherRegion = (): { base: string; flag: string } | null => {
    if (override) return null;
    if (region === 'us') return { base: hosts.eu, flag: '--region eu (or VITALLY_REGION=eu)' };
    return subdomain ? { base: hosts.us(subdomain), flag: '--region us (or VITALLY_REGION=us)' } : null;
  };

  // The Analytics connection (for the Analytics check, and to recognise an Analytics token given as the REST one).
  const analyticsConfigured = Boolean(s.analyticsTokenFile || env.VITALLY_ANALYTICS_TOKEN?.trim());
  let analyticsBase: string | null = null;
  let analyticsToken: string | undefined;
  let analyticsError: unknown;
  try {
    const a = resolveAnalyticsConnection({ ...s, baseUrl: override }, env, analyticsConfigured);
    analyticsBase = a.baseUrl;
    analyticsToken = a.token || undefined;
  } catch (err) {
    analyticsError = err;
  }
  const analyticsName = s.analyticsTokenFile ? `the token in ${s.analyticsTokenFile}` : 'VITALLY_ANALYTICS_TOKEN';

  // 4. The REST API.
  if (token !== undefined && restBase) {
    const p = await spinner.during(`Asking ${restBase} (GET ${REST_PROBE.path})`, () => probes.rest(restBase!, restAuthorization(token!)));
    const ctx = { restBase, token, tokenName, override: Boolean(override), overrideName, region, subdomain, otherRegion, analyticsBase, analyticsToken, analyticsName, probes };
    add(accepted(p) ? await restVerdict(p, ctx) : await spinner.during('Working out what went wrong', () => restVerdict(p, ctx)));
  } else if (token !== undefined && subdomainMissing && region === 'us') {
    // No host to ask; but a token that works in the EU says which region it is.
    const eu = await spinner.during(`Trying the token at ${hosts.eu}`, () => probes.rest(hosts.eu, restAuthorization(token!)));
    if (accepted(eu)) {
      const host = checks.find((c) => c.id === 'host')!;
      host.fix = `Your workspace is in Vitally's EU data centre (${hosts.eu} accepts the token): add --region eu (or VITALLY_REGION=eu)`;
      if (!flags.json) io.stdout.write(redact(`      fix: ${host.fix}\n`));
    }
    add({ id: 'rest', title: 'REST API', status: 'skip', detail: 'not asked: fix the host first' });
  } else {
    add({ id: 'rest', title: 'REST API', status: 'skip', detail: `not asked: fix the ${token === undefined ? 'token' : 'host'} first` });
  }

  // 5. The Analytics API, when configured.
  if (!analyticsConfigured) {
    const half = s.analyticsBaseUrl ?? env.VITALLY_ANALYTICS_BASE_URL;
    add(
      half
        ? { id: 'analytics', title: 'Analytics API', status: 'warn', detail: 'a host is set (--analytics-base-url / VITALLY_ANALYTICS_BASE_URL) but no Analytics token', fix: 'Set VITALLY_ANALYTICS_TOKEN (Settings > Integrations > Analytics API) to send events, or drop the host setting' }
        : { id: 'analytics', title: 'Analytics API', status: 'skip', detail: 'not configured (set VITALLY_ANALYTICS_TOKEN or --analytics-token-file to check it too; needed for events and --via analytics)' },
    );
  } else if (analyticsError || !analyticsBase || !analyticsToken) {
    add({
      id: 'analytics',
      title: 'Analytics API',
      status: 'fail',
      problem: 'config',
      detail: errorMessage(analyticsError ?? new Error('no Analytics token')),
      fix: analyticsError instanceof ConfigError && /EU host/.test(analyticsError.message)
        ? 'Copy the host shown on Vitally\'s Analytics API integration page into --analytics-base-url (or VITALLY_ANALYTICS_BASE_URL, "analyticsBaseUrl")'
        : 'Correct the Analytics settings named above',
    });
  } else {
    const base = analyticsBase;
    const a = analyticsToken;
    const p = await spinner.during(`Asking ${base} (POST ${ANALYTICS_PROBE.path}, an empty batch)`, () => probes.analytics(base, analyticsAuthorization(a)));
    const ctx = { base, token: a, name: analyticsName, restBase, restToken: token, restName: tokenName, probes };
    add(accepted(p) ? await analyticsVerdict(p, ctx) : await spinner.during('Working out what went wrong', () => analyticsVerdict(p, ctx)));
  }
  spinner.stop();
  await probes.close();
  return checks;
}

interface RestContext {
  restBase: string;
  token: string;
  tokenName: string;
  override: boolean;
  overrideName: string;
  region: 'us' | 'eu';
  subdomain: string | undefined;
  otherRegion: () => { base: string; flag: string } | null;
  analyticsBase: string | null;
  analyticsToken: string | undefined;
  analyticsName: string;
  probes: Prober;
}

async function restVerdict(p: Probe, c: RestContext): Promise<Check> {
  const base = { id: 'rest' as const, title: 'REST API' };
  const asked = `GET ${REST_PROBE.path}`;
  if (p.kind === 'answer') {
    const rl = parseRateLimit(p.headers);
    const limit = rl.limit !== undefined ? `; rate limit ${rl.limit} requests${rl.windowMs ? ` per ${rl.windowMs / 1000} s` : ''}${rl.remaining !== undefined ? `, ${rl.remaining} left` : ''}` : '';
    const looksRight = !!p.json && typeof p.json === 'object' && Array.isArray((p.json as { results?: unknown }).results);
    if (!looksRight) {
      return { ...base, status: 'warn', detail: `${asked} answered ${p.status} in ${p.ms} ms, but not with Vitally's {"results": [...]}`, fix: `Check ${c.override ? c.overrideName : 'the host'}: it should be Vitally's REST API root (https://<subdomain>.rest.vitally.io)` };
    }
    return { ...base, status: 'ok', detail: `${asked} answered ${p.status} in ${p.ms} ms: the token is accepted${limit}` };
  }
  // A token refused here may work elsewhere: try the other ways it may have been meant.
  const other = c.otherRegion();
  const inOtherRegion = async () => (other ? accepted(await c.probes.rest(other.base, restAuthorization(c.token))) : false);
  const regionFix = () => `Your workspace is in the other data centre: ${other!.base} accepts the token. Use ${other!.flag}`;

  if (p.kind === 'refused') {
    if (p.status === 403) {
      return { ...base, status: 'fail', problem: 'auth', detail: `${asked} answered 403 Forbidden: the token is known but may not read accounts`, fix: `Use a REST API key with access to accounts (Settings > Integrations > REST API), in ${c.tokenName}` };
    }
    const detail = `${c.restBase} refused ${c.tokenName} (401 Unauthorized)`;
    const b64 = base64Header(c.token);
    if (b64 && accepted(await c.probes.rest(c.restBase, `Basic ${c.token}`))) {
      return { ...base, status: 'fail', problem: 'auth', detail, fix: `${c.tokenName} holds the base64 part of the ready-made "Basic Auth Header": put "Basic " in front of it, or use the Secret Token itself` };
    }
    const isAnalyticsToken = c.analyticsBase !== null && accepted(await c.probes.analytics(c.analyticsBase, analyticsAuthorization(c.token)));
    const otherIsRest = !!c.analyticsToken && c.analyticsToken !== c.token && accepted(await c.probes.rest(c.restBase, restAuthorization(c.analyticsToken)));
    if (isAnalyticsToken && otherIsRest) return { ...base, status: 'fail', problem: 'auth', detail: `${detail}; ${c.analyticsName} is accepted here instead`, fix: swappedFix(c.tokenName, c.analyticsName) };
    if (isAnalyticsToken) {
      return {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail: `${detail}; the same value is accepted by the Analytics API`,
        fix: `${c.tokenName} holds your Analytics API token, not the REST API token. Put the Secret Token of a REST API key (Settings > Integrations > REST API) there; the Analytics token belongs in VITALLY_ANALYTICS_TOKEN`,
      };
    }
    if (otherIsRest) {
      return {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail: `${detail}; ${c.analyticsName} is accepted here instead`,
        fix: `${c.analyticsName} holds the REST API token: put it in VITALLY_API_TOKEN (and the Analytics API token in VITALLY_ANALYTICS_TOKEN)`,
      };
    }
    if (await inOtherRegion()) return { ...base, status: 'fail', problem: 'config', detail, fix: regionFix() };
    return {
      ...base,
      status: 'fail',
      problem: 'auth',
      detail,
      fix: `Check ${c.tokenName}: it must be the Secret Token (or the ready-made "Basic ..." header) of a REST API key of this workspace, from Settings > Integrations > REST API, not the Analytics API token; keys can be rolled or deleted.${c.override ? '' : ' A token only works on its own workspace: check --region and --subdomain too.'}${tokenShapeHint(c.token)}`,
    };
  }
  if (p.kind === 'dns') {
    if (await inOtherRegion()) return { ...base, status: 'fail', problem: 'config', detail: `${c.restBase} does not exist (DNS)`, fix: regionFix() };
    return {
      ...base,
      status: 'fail',
      problem: 'config',
      detail: `${c.restBase} does not exist (its name does not resolve)`,
      fix: c.override
        ? `Correct ${c.overrideName}`
        : c.region === 'us'
          ? `The subdomain "${c.subdomain}" is not known: use the part before .vitally.io in the address you log in at (https://acme.vitally.io -> acme). EU workspaces: --region eu`
          : 'Check this machine\'s DNS and network (a proxy?): the EU host is fixed, so the settings are not to blame',
    };
  }
  if (p.kind === 'network') {
    if (!p.timeout && (await inOtherRegion())) return { ...base, status: 'fail', problem: 'config', detail: `${c.restBase}: ${p.detail}`, fix: regionFix() };
    return {
      ...base,
      status: 'fail',
      problem: p.timeout ? 'service' : 'config',
      detail: `${c.restBase}: ${p.detail}`,
      fix: p.timeout
        ? 'Nothing answered in time: check the network (proxy, firewall), or try again later with a longer --timeout'
        : c.override
          ? `Nothing answers at ${c.restBase}: is the server (the sandbox, a proxy) running, and is ${c.overrideName} right?`
          : 'Check the network between here and Vitally (proxy, firewall)',
    };
  }
  // An HTTP error other than 401/403.
  if (p.status === 404) {
    if (await inOtherRegion()) return { ...base, status: 'fail', problem: 'config', detail: `${asked} answered 404`, fix: regionFix() };
    return {
      ...base,
      status: 'fail',
      problem: 'config',
      detail: `${asked} answered 404 at ${c.restBase}: this is not Vitally's REST API`,
      fix: c.override
        ? `${c.overrideName} must be the REST API root, the host alone (e.g. https://acme.rest.vitally.io, or the sandbox's URL), with no path`
        : `The subdomain "${c.subdomain}" looks unknown: use the part before .vitally.io in the address you log in at. EU workspaces: --region eu`,
    };
  }
  if (p.status === 429) {
    return { ...base, status: 'warn', detail: `${asked} answered 429: the token is accepted, but the rate limit is spent right now`, fix: 'Another job may be using the same workspace\'s limit; runs slow down and retry by themselves' };
  }
  if (p.status >= 500) {
    return { ...base, status: 'fail', problem: 'service', detail: `${asked} answered ${p.status}: ${p.detail}`, fix: 'Vitally is having trouble: try again later (a sync retries 5xx answers by itself)' };
  }
  return { ...base, status: 'fail', problem: 'service', detail: `${asked} answered ${p.status}: ${p.detail}`, fix: 'An unexpected answer: run with --json and report it' };
}

interface AnalyticsContext {
  base: string;
  token: string;
  name: string;
  restBase: string | undefined;
  restToken: string | undefined;
  restName: string;
  probes: Prober;
}

async function analyticsVerdict(p: Probe, c: AnalyticsContext): Promise<Check> {
  const base = { id: 'analytics' as const, title: 'Analytics API' };
  const asked = `POST ${ANALYTICS_PROBE.path} (empty)`;
  if (accepted(p)) {
    const status = p.kind === 'answer' ? p.status : (p as { status: number }).status;
    const ms = p.kind === 'answer' ? ` in ${p.ms} ms` : '';
    return { ...base, status: 'ok', detail: `${asked} answered ${status}${ms} at ${c.base}: the token is accepted (nothing was created)` };
  }
  if (p.kind === 'refused') {
    const detail = `${c.base} refused ${c.name} (${p.status})`;
    const isRestToken = !!c.restBase && accepted(await c.probes.rest(c.restBase, restAuthorization(c.token)));
    const otherIsAnalytics = !!c.restToken && c.restToken !== c.token && accepted(await c.probes.analytics(c.base, analyticsAuthorization(c.restToken)));
    if (isRestToken && otherIsAnalytics) return { ...base, status: 'fail', problem: 'auth', detail: `${detail}; ${c.restName} is accepted here instead`, fix: swappedFix(c.restName, c.name) };
    if (isRestToken) {
      return {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail: `${detail}; the same value is accepted by the REST API`,
        fix: `${c.name} holds your REST API token, not the Analytics API token. Put the token from Settings > Integrations > Analytics API there (the REST token stays in VITALLY_API_TOKEN)`,
      };
    }
    if (otherIsAnalytics) {
      return {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail: `${detail}; ${c.restName} is accepted here instead`,
        fix: `${c.restName} holds the Analytics API token: put it in VITALLY_ANALYTICS_TOKEN (and the REST token in VITALLY_API_TOKEN)`,
      };
    }
    return {
      ...base,
      status: 'fail',
      problem: 'auth',
      detail,
      fix: `Check ${c.name}: it must be the API token from Settings > Integrations > Analytics API (sent as "Basic <token>", as is), for the workspace at ${c.base}`,
    };
  }
  if (p.kind === 'dns') {
    return { ...base, status: 'fail', problem: 'config', detail: `${c.base} does not exist (its name does not resolve)`, fix: 'Check --analytics-base-url (VITALLY_ANALYTICS_BASE_URL), or --subdomain: copy the host from Vitally\'s Analytics API integration page' };
  }
  if (p.kind === 'network') {
    return { ...base, status: 'fail', problem: p.timeout ? 'service' : 'config', detail: `${c.base}: ${p.detail}`, fix: p.timeout ? 'Nothing answered in time: try again later or raise --timeout' : 'Nothing answers there: check --analytics-base-url and the network' };
  }
  if (p.status === 404) {
    return { ...base, status: 'fail', problem: 'config', detail: `${asked} answered 404 at ${c.base}: this is not Vitally's Analytics API`, fix: 'The Analytics host must be given alone, without a path (e.g. https://acme.api.vitally.io): check --analytics-base-url' };
  }
  const said = p.kind === 'error' ? `: ${p.detail}` : '';
  return { ...base, status: 'fail', problem: 'service', detail: `${asked} answered ${p.status}${said}`, fix: p.status >= 500 ? 'Vitally is having trouble: try again later' : 'An unexpected answer: run with --json and report it' };
}

/** One request per (API, host, credential): the probes a diagnosis repeats are asked once. */
class Prober {
  private readonly cache = new Map<string, Promise<Probe>>();
  private readonly clients: HttpClient[] = [];
  constructor(private readonly timeoutMs: number) {}

  rest(baseUrl: string, authorization: string): Promise<Probe> {
    return this.ask(baseUrl, authorization, REST_PROBE);
  }

  analytics(baseUrl: string, authorization: string): Promise<Probe> {
    return this.ask(baseUrl, authorization, ANALYTICS_PROBE);
  }

  private ask(baseUrl: string, authorization: string, req: { method: 'GET' | 'POST'; path: string; body?: string }): Promise<Probe> {
    const key = `${req.method} ${baseUrl}${req.path} ${authorization}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.send(baseUrl, authorization, req);
      this.cache.set(key, p);
    }
    return p;
  }

  private async send(baseUrl: string, authorization: string, req: { method: 'GET' | 'POST'; path: string; body?: string }): Promise<Probe> {
    let http: HttpClient;
    try {
      http = new HttpClient({ baseUrl, authorization, connections: 1, connectTimeoutMs: this.timeoutMs, timeoutMs: this.timeoutMs, authHint: 'The token' });
    } catch (err) {
      return { kind: 'network', detail: errorMessage(err), timeout: false };
    }
    this.clients.push(http);
    const started = Date.now();
    try {
      const res = await http.send(req);
      return { kind: 'answer', status: res.status, ms: Date.now() - started, headers: res.headers, json: res.json };
    } catch (err) {
      if (err instanceof AuthError) return { kind: 'refused', status: err.status };
      if (err instanceof ApiError) return { kind: 'error', status: err.status, detail: err.detail || 'no details' };
      if (err instanceof ConfigError) return { kind: 'dns' };
      const code = (err as { code?: string }).code;
      return { kind: 'network', detail: errorMessage(err).replace(/^(GET|POST) \S+: /, ''), timeout: code === 'TIMEOUT' };
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.destroy().catch(() => {})));
  }
}

/**
 * An ora spinner on stderr while a request is out: only on a terminal that reports its width (ora loops
 * on a 0-column pseudo-terminal, as `docker run -t` can give), never with --json.
 */
class Spinner {
  private readonly ora: Ora | null;
  constructor(io: CliIO, json: boolean, env: Env) {
    const columns = (io.stderr as { columns?: number }).columns ?? 0;
    this.ora =
      !json && io.stderr.isTTY === true && columns > 0 && env.TERM !== 'dumb'
        ? ora({ stream: io.stderr as unknown as NodeJS.WritableStream, isEnabled: true, discardStdin: false, color: colorWanted(io.stderr, env) ? 'cyan' : false })
        : null;
  }

  async during<T>(text: string, work: () => Promise<T>): Promise<T> {
    this.ora?.start(text);
    try {
      return await work();
    } finally {
      this.ora?.stop();
    }
  }

  stop(): void {
    this.ora?.stop();
  }
}

const LABEL: Record<CheckStatus, [string, string]> = {
  ok: ['ok  ', '\x1b[32m'],
  warn: ['warn', '\x1b[33m'],
  fail: ['FAIL', '\x1b[31m'],
  skip: ['-   ', '\x1b[2m'],
};

export function formatCheck(c: Check, color: boolean): string {
  const [label, code] = LABEL[c.status];
  const tag = color ? `${code}${label}\x1b[0m` : label;
  return `${tag}  ${c.title.padEnd(14)} ${c.detail}\n${c.fix && c.status !== 'ok' ? `      fix: ${c.fix}\n` : ''}`;
}

function swappedFix(restName: string, analyticsName: string): string {
  return `The two tokens are swapped: ${restName} holds the Analytics API token and ${analyticsName} the REST API token. Exchange them`;
}

/** What the token looks like, without showing any of it. */
function tokenShape(token: string): string {
  if (/^basic\s+/i.test(token)) return 'a ready-made "Basic ..." header value';
  if (/^sk_/.test(token)) return 'looks like a REST secret token (sk_...)';
  if (base64Header(token)) return 'looks like the base64 part of a "Basic ..." header';
  return 'does not start with sk_, as REST secret tokens usually do';
}

function tokenShapeHint(token: string): string {
  return /^sk_|^basic\s/i.test(token) ? '' : ' This value does not start with sk_, as REST secret tokens usually do.';
}

/** The token is base64 of "something:" (a Basic header's value pasted without "Basic "). */
function base64Header(token: string): boolean {
  if (!/^[A-Za-z0-9+/]{8,}={0,2}$/.test(token) || token.length % 4 !== 0) return false;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  return decoded.endsWith(':') && /^[\x21-\x7e]+:$/.test(decoded);
}

function hostFix(err: unknown): string {
  const m = errorMessage(err);
  if (/plain http/.test(m)) return 'Use https://, or a loopback address (127.0.0.1, localhost) for a local sandbox: a token sent over plain http can be read on the way';
  if (/--subdomain/.test(m) && /need/.test(m)) return 'Set VITALLY_SUBDOMAIN (or --subdomain, "subdomain" in the config file) to the part before .vitally.io in your login URL; EU workspaces set VITALLY_REGION=eu instead';
  if (/--region/.test(m)) return 'Use us or eu';
  return 'Correct the setting named above';
}

