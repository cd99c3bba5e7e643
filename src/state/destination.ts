/**
 * The name of a destination in the state store: the base URL, which for Vitally's US hosts names the
 * tenant (`acme.rest.vitally.io`). Hosts that do not (the EU REST host, a legacy host, a proxy, an
 * Analytics host given by hand, a local sandbox) get a short fingerprint of the token added, so two
 * workspaces sharing one state file never share what was sent or which ids were resolved.
 */
import { createHash } from 'node:crypto';

const TENANT_HOST = /^[a-z0-9-]+\.(rest|api)\.vitally\.io$/i;

export function destinationOf(baseUrl: string, token: string): string {
  if (TENANT_HOST.test(new URL(baseUrl).hostname)) return baseUrl;
  return `${baseUrl}#${createHash('sha256').update(token.trim()).digest('hex').slice(0, 12)}`;
}
