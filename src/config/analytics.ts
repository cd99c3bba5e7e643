/**
 * The Analytics API connection (events, and --via analytics). Its own host and its own token: the
 * Analytics API token from Vitally's Analytics integration page, sent verbatim as `Basic <token>`.
 */
import { ConfigError } from '../errors.js';
import { checkBaseUrl, checkSubdomain, isLoopback } from '../vitally/hosts.js';
import { resolveRegion, resolveToken, type Connection, type Env } from './connection.js';

export interface AnalyticsFlags {
  analyticsTokenFile?: string;
  analyticsBaseUrl?: string;
  region?: string;
  subdomain?: string;
  baseUrl?: string;
}

export function resolveAnalyticsConnection(flags: AnalyticsFlags, env: Env, needToken: boolean): Connection {
  const region = resolveRegion(flags.region ?? env.VITALLY_REGION);
  const explicit = flags.analyticsBaseUrl ?? env.VITALLY_ANALYTICS_BASE_URL;
  const restOverride = flags.baseUrl ?? env.VITALLY_BASE_URL;
  let baseUrl: string;
  // The paths sent are /analytics/v1/...: a host copied with that path (the legacy form) is taken as the host.
  if (explicit) baseUrl = checkBaseUrl(explicit, '--analytics-base-url').replace(/\/analytics\/v1$/, '');
  else if (restOverride && isLoopback(new URL(checkBaseUrl(restOverride, '--base-url')).hostname)) {
    // A local sandbox serves both APIs on one port.
    baseUrl = checkBaseUrl(restOverride, '--base-url');
  } else if (region === 'eu') {
    throw new ConfigError(
      "The Analytics API has no documented EU host: copy the host shown on Vitally's Analytics API integration page (Settings > Integrations) and pass it as --analytics-base-url (or VITALLY_ANALYTICS_BASE_URL). Nothing was sent",
      'CONFIG_MISSING',
    );
  } else {
    const sub = flags.subdomain ?? env.VITALLY_SUBDOMAIN;
    if (!sub) throw new ConfigError('The Analytics API needs --subdomain (or VITALLY_SUBDOMAIN), or --analytics-base-url', 'CONFIG_MISSING');
    baseUrl = `https://${checkSubdomain(sub)}.api.vitally.io`;
  }
  const { token, tokenSource } = resolveToken(
    { flag: '--analytics-token-file', file: flags.analyticsTokenFile, variable: 'VITALLY_ANALYTICS_TOKEN' },
    env,
    needToken
      ? 'No Analytics API token: set VITALLY_ANALYTICS_TOKEN or pass --analytics-token-file <path> (Vitally: Settings > Integrations > Analytics API). It is not the REST API token'
      : null,
  );
  return { baseUrl, token, tokenSource };
}
