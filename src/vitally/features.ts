/**
 * Features a Vitally workspace may lack, by the paths that need them. A workspace without organizations
 * answers 403 on every organization path (PostHog's source treats such a 403 as "no access to this
 * feature", not as a bad token); custom objects likewise. A 403 on one of these paths becomes a
 * ForbiddenError naming the feature; a 403 anywhere else is a refused token (AuthError).
 */

export interface Feature {
  /** As messages and the run's bookkeeping name it: "organizations". */
  name: string;
  /** What a 403 on its paths most likely means. */
  why: string;
  /** The paths that need it (below the REST base URL, query included). */
  matches(path: string): boolean;
}

export const FEATURES: readonly Feature[] = [
  {
    name: 'organizations',
    why: 'organizations are not enabled for this workspace',
    matches: (p) => /^\/resources\/organizations(?:[/?]|$)/.test(p) || /^\/resources\/customFields\?(?:.*&)?model=organizations(?:&|$)/.test(p),
  },
  {
    name: 'custom objects',
    why: 'custom objects are not enabled for this workspace, or the token may not use them',
    matches: (p) => /^\/resources\/customObjects(?:[/?]|$)/.test(p) || /^\/resources\/customFields\?(?:.*&)?model=customObjects(?:&|$)/.test(p),
  },
];

/** The feature a path needs, if it is one a workspace may lack. */
export function featureOf(path: string): Feature | undefined {
  return FEATURES.find((f) => f.matches(path));
}

/**
 * A request every workspace answers and that changes nothing: asked to tell a refused token from a
 * missing feature (and by `doctor`, to check the token).
 */
export const TOKEN_PROBE = { method: 'GET', path: '/resources/accounts?limit=1' } as const;
