/**
 * The checks `doctor` runs, in order: config file, REST token, REST host, proxy, REST API, Analytics API.
 * Each is decided from the settings and at most a few cached probes; nothing here knows the terminal (the
 * command renders each check through a `DoctorReport` as it is decided).
 */
import { resolveAnalyticsConnection } from '../../config/analytics.js';
import { readTokenFile, resolveRegion, type Env } from '../../config/connection.js';
import { resolveConfigFile, type ConfigFile } from '../../config/file.js';
import { compact, connectionFlags } from '../../config/file-sources.js';
import { ConfigError, errorMessage } from '../../errors.js';
import { analyticsAuthorization, restAuthorization } from '../../vitally/auth.js';
import { checkSubdomain, restBaseUrl } from '../../vitally/hosts.js';
import { describeProxy, NO_PROXIES, proxyFor, proxySettings, type ProxySettings } from '../../vitally/proxy.js';
import { analyticsVerdict } from './analytics-verdict.js';
import type { Check } from './check.js';
import { accepted, ANALYTICS_PROBE, Prober, REST_PROBE, type Probe } from './probe.js';
import { restVerdict } from './rest-verdict.js';
import { tokenShape } from './tokens.js';

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

/** Where the checks go as they are decided. */
export interface DoctorReport {
  /** A check is decided. */
  check(c: Check): void;
  /** A check already reported got its `fix` later. */
  fix(c: Check): void;
  /** `work` sends requests: show that something is under way. */
  during<T>(text: string, work: () => Promise<T>): Promise<T>;
  /** A credential was read (from a file): keep it out of everything printed. */
  secret(token: string): void;
}

/** Run every check, reporting each as it is decided, and return them all. */
export async function runChecks(
  flags: DoctorFlags,
  env: Env,
  opts: { hosts?: RegionHosts; cwd?: string; timeoutMs: number },
  report: DoctorReport,
): Promise<Check[]> {
  const hosts = opts.hosts ?? VITALLY_REST_HOSTS;
  const checks: Check[] = [];
  const add = (c: Check) => {
    checks.push(c);
    report.check(c);
  };
  // The proxies of the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY): every probe goes through them, as a push would.
  let proxies: ProxySettings = NO_PROXIES;
  let proxyError: unknown;
  try {
    proxies = proxySettings(env);
  } catch (err) {
    proxyError = err;
  }
  const probes = new Prober(opts.timeoutMs, proxies);
  /** A verdict on a probe; one that was not accepted takes more probes to explain. */
  const judge = async (p: Probe, verdict: () => Promise<Check>) =>
    accepted(p) ? await verdict() : await report.during('Working out what went wrong', verdict);

  // 1. The config file.
  let file: ConfigFile | null = null;
  try {
    file = resolveConfigFile(flags.config, opts.cwd ?? process.cwd());
    add(
      file
        ? {
            id: 'config',
            title: 'config file',
            status: 'ok',
            detail: `${file.path} (${file.order.length} sync${file.order.length === 1 ? '' : 's'}: ${file.order.join(', ') || 'none'})`,
          }
        : {
            id: 'config',
            title: 'config file',
            status: 'skip',
            detail: flags.config === false ? 'ignored (--no-config)' : 'none here: settings come from flags and the environment',
          },
    );
  } catch (err) {
    add({
      id: 'config',
      title: 'config file',
      status: 'fail',
      problem: 'config',
      detail: errorMessage(err),
      fix: 'Correct the file (see docs/config.md); the checks below ignore it',
    });
  }
  const s: DoctorFlags = { ...(file ? connectionFlags(file, env) : {}), ...compact(flags) };

  // 2. The REST token.
  let token: string | undefined;
  let tokenName = 'VITALLY_API_TOKEN';
  try {
    if (s.tokenFile) {
      token = readTokenFile(s.tokenFile, '--token-file');
      report.secret(token);
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
    add({
      id: 'token',
      title: 'REST token',
      status: 'fail',
      problem: 'config',
      detail: errorMessage(err),
      fix: 'Point --token-file ("tokenFile") at a readable file holding the token alone',
    });
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
    if (analyticsToken) report.secret(analyticsToken);
  } catch (err) {
    analyticsError = err;
  }
  const analyticsName = s.analyticsTokenFile ? `the token in ${s.analyticsTokenFile}` : 'VITALLY_ANALYTICS_TOKEN';

  // The proxy each API's host is reached through.
  if (proxyError) {
    add({
      id: 'proxy',
      title: 'proxy',
      status: 'fail',
      problem: 'config',
      detail: errorMessage(proxyError),
      fix: 'Correct the variable named above, or unset it',
    });
  } else {
    const hostsAsked = [restBase, analyticsConfigured ? analyticsBase : null].filter((h, i, all): h is string => Boolean(h) && all.indexOf(h) === i);
    const used = hostsAsked.some((h) => proxyFor(h, proxies));
    const detail = hostsAsked.length ? hostsAsked.map((h) => describeProxy(h, proxies)).join('; ') : 'none: no host to reach';
    add({ id: 'proxy', title: 'proxy', status: used ? 'ok' : 'skip', detail });
  }

  // 4. The REST API.
  if (token !== undefined && restBase) {
    const p = await report.during(`Asking ${restBase} (GET ${REST_PROBE.path})`, () => probes.rest(restBase!, restAuthorization(token!)));
    const ctx = {
      restBase,
      token,
      tokenName,
      override: Boolean(override),
      overrideName,
      region,
      subdomain,
      otherRegion,
      analyticsBase,
      analyticsToken,
      analyticsName,
      probes,
    };
    add(await judge(p, () => restVerdict(p, ctx)));
  } else if (token !== undefined && subdomainMissing && region === 'us') {
    // No host to ask; but a token that works in the EU says which region it is.
    const eu = await report.during(`Trying the token at ${hosts.eu}`, () => probes.rest(hosts.eu, restAuthorization(token!)));
    if (accepted(eu)) {
      const host = checks.find((c) => c.id === 'host')!;
      host.fix = `Your workspace is in Vitally's EU data centre (${hosts.eu} accepts the token): add --region eu (or VITALLY_REGION=eu)`;
      report.fix(host);
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
        ? {
            id: 'analytics',
            title: 'Analytics API',
            status: 'warn',
            detail: 'a host is set (--analytics-base-url / VITALLY_ANALYTICS_BASE_URL) but no Analytics token',
            fix: 'Set VITALLY_ANALYTICS_TOKEN (Settings > Integrations > Analytics API) to send events, or drop the host setting',
          }
        : {
            id: 'analytics',
            title: 'Analytics API',
            status: 'skip',
            detail: 'not configured (set VITALLY_ANALYTICS_TOKEN or --analytics-token-file to check it too; needed for events and --via analytics)',
          },
    );
  } else if (analyticsError || !analyticsBase || !analyticsToken) {
    add({
      id: 'analytics',
      title: 'Analytics API',
      status: 'fail',
      problem: 'config',
      detail: errorMessage(analyticsError ?? new Error('no Analytics token')),
      fix:
        analyticsError instanceof ConfigError && /EU host/.test(analyticsError.message)
          ? 'Copy the host shown on Vitally\'s Analytics API integration page into --analytics-base-url (or VITALLY_ANALYTICS_BASE_URL, "analyticsBaseUrl")'
          : 'Correct the Analytics settings named above',
    });
  } else {
    const base = analyticsBase;
    const a = analyticsToken;
    const p = await report.during(`Asking ${base} (POST ${ANALYTICS_PROBE.path}, an empty batch)`, () => probes.analytics(base, analyticsAuthorization(a)));
    const ctx = { base, token: a, name: analyticsName, restBase, restToken: token, restName: tokenName, probes };
    add(await judge(p, () => analyticsVerdict(p, ctx)));
  }
  await probes.close();
  return checks;
}

function hostFix(err: unknown): string {
  const m = errorMessage(err);
  if (/plain http/.test(m))
    return 'Use https://, or a loopback address (127.0.0.1, localhost) for a local sandbox: a token sent over plain http can be read on the way';
  if (/--subdomain/.test(m) && /need/.test(m))
    return 'Set VITALLY_SUBDOMAIN (or --subdomain, "subdomain" in the config file) to the part before .vitally.io in your login URL; EU workspaces set VITALLY_REGION=eu instead';
  if (/--region/.test(m)) return 'Use us or eu';
  return 'Correct the setting named above';
}
