/**
 * What a token looks like (without showing any of it), and the mix-ups a 401 hides: the REST and
 * Analytics tokens given the wrong way round, one of them in both places, or a "Basic" header's value.
 */

import { base64Header } from '../../vitally/auth.js';

const NOT_SK = 'does not start with sk_, as REST secret tokens usually do';

/** What the token looks like, without showing any of it. */
export function tokenShape(token: string): string {
  if (/^basic\s+/i.test(token)) return 'a ready-made "Basic ..." header value';
  if (/^sk_/.test(token)) return 'looks like a REST secret token (sk_...)';
  if (base64Header(token)) return 'the base64 part of a "Basic ..." header (sent as it is)';
  return NOT_SK;
}

export function tokenShapeHint(token: string): string {
  return /^sk_|^basic\s/i.test(token) || base64Header(token) ? '' : ` This value ${NOT_SK}.`;
}

export function swappedFix(restName: string, analyticsName: string): string {
  return `The two tokens are swapped: ${restName} holds the Analytics API token and ${analyticsName} the REST API token. Exchange them`;
}

/** A token refused by one API, seen from the other API. */
export interface MixUp {
  /** Where the other API's token comes from ("VITALLY_ANALYTICS_TOKEN", "the token in <file>"). */
  otherName: string;
  /** The other API, as the detail names it ("REST API", "Analytics API"). */
  otherApi: string;
  /** The refused value is accepted by the other API. */
  tokenIsOther: () => Promise<boolean>;
  /** The other API's token is accepted by this one. */
  otherIsThis: () => Promise<boolean>;
  /** The fix when both hold: the tokens are swapped. */
  swapped: string;
  /** The fix when only the refused value is the other API's token. */
  sameFix: string;
  /** The fix when only the other API's token belongs to this one. */
  otherFix: string;
}

/** The mix-up that explains a refused token (`detail` says which), or null when there is none. */
export async function tokenMixUp(detail: string, m: MixUp): Promise<{ detail: string; fix: string } | null> {
  const tokenIsOther = await m.tokenIsOther();
  const otherIsThis = await m.otherIsThis();
  const instead = `${detail}; ${m.otherName} is accepted here instead`;
  if (tokenIsOther && otherIsThis) return { detail: instead, fix: m.swapped };
  if (tokenIsOther) return { detail: `${detail}; the same value is accepted by the ${m.otherApi}`, fix: m.sameFix };
  if (otherIsThis) return { detail: instead, fix: m.otherFix };
  return null;
}
