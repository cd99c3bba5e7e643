/** A tiny undici client for the sandbox tests: real HTTP, no mocks. */

import { request } from 'undici';
import type { Sandbox } from '../../src/sandbox/index.js';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

export function basic(token: string): string {
  return `Basic ${Buffer.from(`${token}:`).toString('base64')}`;
}

export interface CallOptions {
  auth?: string | null;
  headers?: Record<string, string>;
  /** Raw body text (sent as is). */
  raw?: string;
}

async function send(url: string, method: string, body: unknown, auth: string | null, o: CallOptions): Promise<Answer> {
  const headers: Record<string, string> = { ...(auth ? { authorization: auth } : {}) };
  let payload: string | undefined;
  if (o.raw !== undefined) payload = o.raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) headers['content-type'] = 'application/json';
  Object.assign(headers, o.headers);
  const res = await request(url, { method: method as 'GET', headers, body: payload });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, json, text };
}

/** REST call with the sandbox's token unless `auth` overrides it (null = no Authorization header). */
export function rest(sb: Sandbox, method: string, path: string, body?: unknown, o: CallOptions = {}): Promise<Answer> {
  const auth = o.auth === undefined ? basic(sb.token) : o.auth;
  return send(`${sb.url}${path}`, method, body, auth, o);
}

/** Analytics call (POST /analytics/v1/<endpoint>) with the Analytics token verbatim. */
export function analytics(sb: Sandbox, endpoint: string, body: unknown, o: CallOptions = {}): Promise<Answer> {
  const auth = o.auth === undefined ? `Basic ${sb.analyticsToken}` : o.auth;
  return send(`${sb.analyticsUrl}/analytics/v1/${endpoint}`, 'POST', body, auth, o);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Create an account (and return its record) through the REST API. */
export async function account(sb: Sandbox, externalId: string, extra: Record<string, unknown> = {}) {
  const res = await rest(sb, 'POST', '/resources/accounts', { externalId, name: `Account ${externalId}`, ...extra });
  if (res.status !== 200) throw new Error(`account ${externalId}: ${res.status} ${res.text}`);
  return res.json as { id: string; externalId: string } & Record<string, unknown>;
}

export async function user(sb: Sandbox, externalId: string, extra: Record<string, unknown>) {
  const res = await rest(sb, 'POST', '/resources/users', { externalId, ...extra });
  if (res.status !== 200) throw new Error(`user ${externalId}: ${res.status} ${res.text}`);
  return res.json as { id: string; externalId: string } & Record<string, unknown>;
}

/** A clock for the sandbox's `now` option: time moves only when a test moves it. */
export function fakeClock(start = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}
