/**
 * The REST API check: what the answer to GET /resources/accounts?limit=1 says, and when the token is
 * refused or the host unknown, the other ways the same settings could have been meant (the Analytics
 * token, the other region's host). A "Basic" header's value, whole or its base64 half, is sent as it is.
 */
import { analyticsAuthorization, restAuthorization } from '../../vitally/auth.js';
import { parseRateLimit } from '../../vitally/ratelimit-headers.js';
import type { Check } from './check.js';
import { accepted, REST_PROBE, type Prober, type Probe } from './probe.js';
import { swappedFix, tokenMixUp, tokenShapeHint } from './tokens.js';

export interface RestContext {
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

export async function restVerdict(p: Probe, c: RestContext): Promise<Check> {
  const base = { id: 'rest' as const, title: 'REST API' };
  const asked = `GET ${REST_PROBE.path}`;
  if (p.kind === 'answer') {
    const rl = parseRateLimit(p.headers);
    const limit =
      rl.limit !== undefined
        ? `; rate limit ${rl.limit} requests${rl.windowMs ? ` per ${rl.windowMs / 1000} s` : ''}${rl.remaining !== undefined ? `, ${rl.remaining} left` : ''}`
        : '';
    const looksRight = !!p.json && typeof p.json === 'object' && Array.isArray((p.json as { results?: unknown }).results);
    if (!looksRight) {
      return {
        ...base,
        status: 'warn',
        detail: `${asked} answered ${p.status} in ${p.ms} ms, but not with Vitally's {"results": [...]}`,
        fix: `Check ${c.override ? c.overrideName : 'the host'}: it should be Vitally's REST API root (https://<subdomain>.rest.vitally.io)`,
      };
    }
    return { ...base, status: 'ok', detail: `${asked} answered ${p.status} in ${p.ms} ms: the token is accepted${limit}` };
  }
  // A token refused here may work elsewhere: try the other ways it may have been meant.
  const other = c.otherRegion();
  /** The failed check when the other region's host accepts the token, else null. */
  const inOtherRegion = async (detail: string): Promise<Check | null> =>
    other && accepted(await c.probes.rest(other.base, restAuthorization(c.token)))
      ? {
          ...base,
          status: 'fail',
          problem: 'config',
          detail,
          fix: `Your workspace is in the other data centre: ${other.base} accepts the token. Use ${other.flag}`,
        }
      : null;

  if (p.kind === 'refused') {
    if (p.status === 403) {
      return {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail: `${asked} answered 403 Forbidden: the token is known but may not read accounts`,
        fix: `Use a REST API key with access to accounts (Settings > Integrations > REST API), in ${c.tokenName}`,
      };
    }
    const detail = `${c.restBase} refused ${c.tokenName} (401 Unauthorized)`;
    const mixUp = await tokenMixUp(detail, {
      otherName: c.analyticsName,
      otherApi: 'Analytics API',
      tokenIsOther: async () => c.analyticsBase !== null && accepted(await c.probes.analytics(c.analyticsBase, analyticsAuthorization(c.token))),
      otherIsThis: async () =>
        !!c.analyticsToken && c.analyticsToken !== c.token && accepted(await c.probes.rest(c.restBase, restAuthorization(c.analyticsToken))),
      swapped: swappedFix(c.tokenName, c.analyticsName),
      sameFix: `${c.tokenName} holds your Analytics API token, not the REST API token. Put the Secret Token of a REST API key (Settings > Integrations > REST API) there; the Analytics token belongs in VITALLY_ANALYTICS_TOKEN`,
      otherFix: `${c.analyticsName} holds the REST API token: put it in VITALLY_API_TOKEN (and the Analytics API token in VITALLY_ANALYTICS_TOKEN)`,
    });
    if (mixUp) return { ...base, status: 'fail', problem: 'auth', ...mixUp };
    return (
      (await inOtherRegion(detail)) ?? {
        ...base,
        status: 'fail',
        problem: 'auth',
        detail,
        fix: `Check ${c.tokenName}: it must be the Secret Token (or the ready-made "Basic ..." header) of a REST API key of this workspace, from Settings > Integrations > REST API, not the Analytics API token; keys can be rolled or deleted.${c.override ? '' : ' A token only works on its own workspace: check --region and --subdomain too.'}${tokenShapeHint(c.token)}`,
      }
    );
  }
  if (p.kind === 'dns') {
    return (
      (await inOtherRegion(`${c.restBase} does not exist (DNS)`)) ?? {
        ...base,
        status: 'fail',
        problem: 'config',
        detail: `${c.restBase} does not exist (its name does not resolve)`,
        fix: c.override
          ? `Correct ${c.overrideName}`
          : c.region === 'us'
            ? `The subdomain "${c.subdomain}" is not known: use the part before .vitally.io in the address you log in at (https://acme.vitally.io -> acme). EU workspaces: --region eu`
            : "Check this machine's DNS and network (a proxy?): the EU host is fixed, so the settings are not to blame",
      }
    );
  }
  if (p.kind === 'network') {
    return (
      (p.timeout ? null : await inOtherRegion(`${c.restBase}: ${p.detail}`)) ?? {
        ...base,
        status: 'fail',
        problem: p.timeout ? 'service' : 'config',
        detail: `${c.restBase}: ${p.detail}`,
        fix: p.timeout
          ? 'Nothing answered in time: check the network (proxy, firewall), or try again later with a longer --timeout'
          : c.override
            ? `Nothing answers at ${c.restBase}: is the server (the sandbox, a proxy) running, and is ${c.overrideName} right?`
            : 'Check the network between here and Vitally (proxy, firewall)',
      }
    );
  }
  // An HTTP error other than 401/403.
  if (p.status === 404) {
    return (
      (await inOtherRegion(`${asked} answered 404`)) ?? {
        ...base,
        status: 'fail',
        problem: 'config',
        detail: `${asked} answered 404 at ${c.restBase}: this is not Vitally's REST API`,
        fix: c.override
          ? `${c.overrideName} must be the REST API root, the host alone (e.g. https://acme.rest.vitally.io, or the sandbox's URL), with no path`
          : `The subdomain "${c.subdomain}" looks unknown: use the part before .vitally.io in the address you log in at. EU workspaces: --region eu`,
      }
    );
  }
  if (p.redirect !== undefined) {
    return {
      ...base,
      status: 'fail',
      problem: 'config',
      detail: `${asked} answered ${p.status}: ${p.detail}`,
      fix: `${c.override ? c.overrideName : 'The REST host'} must be the REST API root itself. If ${p.redirect} is where the API lives and you trust it, use that address`,
    };
  }
  if (p.status === 429) {
    return {
      ...base,
      status: 'warn',
      detail: `${asked} answered 429: the token is accepted, but the rate limit is spent right now`,
      fix: "Another job may be using the same workspace's limit; runs slow down and retry by themselves",
    };
  }
  if (p.status >= 500) {
    return {
      ...base,
      status: 'fail',
      problem: 'service',
      detail: `${asked} answered ${p.status}: ${p.detail}`,
      fix: 'Vitally is having trouble: try again later (a sync retries 5xx answers by itself)',
    };
  }
  return {
    ...base,
    status: 'fail',
    problem: 'service',
    detail: `${asked} answered ${p.status}: ${p.detail}`,
    fix: 'An unexpected answer: run with --json and report it',
  };
}
