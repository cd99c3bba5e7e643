/**
 * The Analytics API check: what the answer to an empty POST /analytics/v1/batch says, and when the token
 * is refused, whether it is the REST token (or the REST setting holds the Analytics one).
 */
import { analyticsAuthorization, restAuthorization } from '../../vitally/auth.js';
import type { Check } from './check.js';
import { accepted, ANALYTICS_PROBE, type Prober, type Probe } from './probe.js';
import { swappedFix, tokenMixUp } from './tokens.js';

export interface AnalyticsContext {
  base: string;
  token: string;
  name: string;
  restBase: string | undefined;
  restToken: string | undefined;
  restName: string;
  probes: Prober;
}

export async function analyticsVerdict(p: Probe, c: AnalyticsContext): Promise<Check> {
  const base = { id: 'analytics' as const, title: 'Analytics API' };
  const asked = `POST ${ANALYTICS_PROBE.path} (empty)`;
  if (accepted(p)) {
    const status = p.kind === 'answer' ? p.status : (p as { status: number }).status;
    const ms = p.kind === 'answer' ? ` in ${p.ms} ms` : '';
    return { ...base, status: 'ok', detail: `${asked} answered ${status}${ms} at ${c.base}: the token is accepted (nothing was created)` };
  }
  if (p.kind === 'refused') {
    const detail = `${c.base} refused ${c.name} (${p.status})`;
    const mixUp = await tokenMixUp(detail, {
      otherName: c.restName,
      otherApi: 'REST API',
      tokenIsOther: async () => !!c.restBase && accepted(await c.probes.rest(c.restBase, restAuthorization(c.token))),
      otherIsThis: async () => !!c.restToken && c.restToken !== c.token && accepted(await c.probes.analytics(c.base, analyticsAuthorization(c.restToken))),
      swapped: swappedFix(c.restName, c.name),
      sameFix: `${c.name} holds your REST API token, not the Analytics API token. Put the token from Settings > Integrations > Analytics API there (the REST token stays in VITALLY_API_TOKEN)`,
      otherFix: `${c.restName} holds the Analytics API token: put it in VITALLY_ANALYTICS_TOKEN (and the REST token in VITALLY_API_TOKEN)`,
    });
    if (mixUp) return { ...base, status: 'fail', problem: 'auth', ...mixUp };
    return {
      ...base,
      status: 'fail',
      problem: 'auth',
      detail,
      fix: `Check ${c.name}: it must be the API token from Settings > Integrations > Analytics API (sent as "Basic <token>", as is), for the workspace at ${c.base}`,
    };
  }
  if (p.kind === 'dns') {
    return {
      ...base,
      status: 'fail',
      problem: 'config',
      detail: `${c.base} does not exist (its name does not resolve)`,
      fix: "Check --analytics-base-url (VITALLY_ANALYTICS_BASE_URL), or --subdomain: copy the host from Vitally's Analytics API integration page",
    };
  }
  if (p.kind === 'network') {
    return {
      ...base,
      status: 'fail',
      problem: p.timeout ? 'service' : 'config',
      detail: `${c.base}: ${p.detail}`,
      fix: p.timeout ? 'Nothing answered in time: try again later or raise --timeout' : 'Nothing answers there: check --analytics-base-url and the network',
    };
  }
  if (p.status === 404) {
    return {
      ...base,
      status: 'fail',
      problem: 'config',
      detail: `${asked} answered 404 at ${c.base}: this is not Vitally's Analytics API`,
      fix: 'The Analytics host must be given alone, without a path (e.g. https://acme.api.vitally.io): check --analytics-base-url',
    };
  }
  const said = p.kind === 'error' ? `: ${p.detail}` : '';
  return {
    ...base,
    status: 'fail',
    problem: 'service',
    detail: `${asked} answered ${p.status}${said}`,
    fix: p.status >= 500 ? 'Vitally is having trouble: try again later' : 'An unexpected answer: run with --json and report it',
  };
}
