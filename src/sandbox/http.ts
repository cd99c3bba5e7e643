/** HTTP plumbing shared by the REST and Analytics handlers: errors, bodies, authentication. */

import type { IncomingMessage } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';

export const MAX_BODY_BYTES = 1024 * 1024;

/** An answer other than 2xx, thrown by a handler and turned into `{"error": message}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  constructor(status: number, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
  }
}

export function badRequest(message: string): never {
  throw new HttpError(400, message);
}

export interface Reply {
  status: number;
  body: unknown;
}

export interface ReadBody {
  text: string;
  bytes: number;
  tooLarge: boolean;
}

/** Read the whole body, keeping at most MAX_BODY_BYTES (the rest is drained and discarded). */
export async function readBody(req: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    if (bytes <= MAX_BODY_BYTES) chunks.push(buf);
    else chunks.length = 0;
  }
  const tooLarge = bytes > MAX_BODY_BYTES;
  return { text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), bytes, tooLarge };
}

/** Parse a JSON body; `shape` says what the endpoint takes. */
export function parseBody(text: string, contentType: string | undefined, shape: 'object' | 'array'): unknown {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HttpError(415, 'Content-Type must be application/json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (shape === 'array') {
    if (!Array.isArray(parsed)) badRequest('Body must be a JSON array');
    return parsed;
  }
  if (!isPlainObject(parsed)) badRequest('Body must be a JSON object');
  return parsed;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Constant-time string equality (hashing first makes the lengths equal). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

function credential(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^basic\s+(\S+)\s*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

function decodeBase64(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

export interface Tokens {
  token: string;
  analyticsToken: string;
}

/**
 * REST auth: `Basic base64(token + ':')`. Returns null when accepted, else the 401 message. The message
 * says which token was mixed up (never the token itself) so a client can tell its user.
 */
export function restAuthError(header: string | undefined, t: Tokens): string | null {
  const cred = credential(header);
  if (cred === null) return 'Unauthorized';
  const decoded = decodeBase64(cred);
  if (safeEqual(decoded, `${t.token}:`)) return null;
  if (safeEqual(cred, t.analyticsToken) || safeEqual(decoded, `${t.analyticsToken}:`)) {
    return 'Unauthorized: this is the REST API; it takes the REST API secret token, not the Analytics API token';
  }
  if (safeEqual(cred, t.token)) {
    return "Unauthorized: the REST API takes HTTP Basic auth, base64 of the secret token followed by ':'";
  }
  if (safeEqual(decoded, t.token)) {
    return "Unauthorized: base64 of the secret token followed by ':' (empty password) is expected";
  }
  return 'Unauthorized';
}

/** Analytics auth: `Basic <analyticsToken>`, the token verbatim. */
export function analyticsAuthError(header: string | undefined, t: Tokens): string | null {
  const cred = credential(header);
  if (cred === null) return 'Unauthorized';
  if (safeEqual(cred, t.analyticsToken)) return null;
  const decoded = decodeBase64(cred);
  if (safeEqual(cred, t.token) || safeEqual(decoded, `${t.token}:`)) {
    return 'Unauthorized: this is the Analytics API; it takes the Analytics API token, not the REST secret token';
  }
  if (safeEqual(decoded, `${t.analyticsToken}:`) || safeEqual(decoded, t.analyticsToken)) {
    return "Unauthorized: the Analytics API takes its token verbatim after 'Basic ', not base64-encoded";
  }
  return 'Unauthorized';
}
