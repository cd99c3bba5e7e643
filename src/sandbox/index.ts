/**
 * The sandbox: a local Vitally-compatible HTTP server (REST API under /resources, Analytics API under
 * /analytics/v1, both on the same port) used by the tests and by users who want to try a sync without a
 * Vitally account. It emulates what Vitally's docs say (auth, validation, rate-limit headers), including
 * the strict parts, so a client that works here has been held to the documented contract.
 *
 *     const sb = await createSandbox({ rateLimit: { limit: 5, windowMs: 1000 } });
 *     // REST:      `${sb.url}/resources/accounts`        Authorization: Basic base64(sb.token + ':')
 *     // Analytics: `${sb.analyticsUrl}/analytics/v1/track` Authorization: Basic <sb.analyticsToken>
 *     await sb.close();
 *
 * `analyticsUrl` equals `url`: the real Analytics API lives on another host, the sandbox serves both.
 */

import type { SandboxStore } from './store.js';

export { createSandbox } from './server.js';
export { SandboxStore } from './store.js';
export type { RecordType, SandboxRecord, SandboxAdmin, AnalyticsEvent } from './store.js';

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

export interface SandboxOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** REST secret token; default 'sk_sandbox_' + 24 random hex chars. */
  token?: string;
  /** Analytics API token; default 'an_sandbox_' + 24 random hex chars. */
  analyticsToken?: string;
  /** REST sliding window; default { limit: 1000, windowMs: 60_000 }. */
  rateLimit?: RateLimitOptions;
  /** Analytics sliding window; default null = unlimited, no RateLimit-* headers. */
  analyticsRateLimit?: RateLimitOptions | null;
  /** Added before every answer (and before a dropped socket is destroyed); default 0. */
  latencyMs?: number;
  /** Share (0..1) of authenticated requests answered 503 before being applied; default 0. */
  failRate?: number;
  /** Share of authenticated requests whose socket is destroyed before being applied; default 0. */
  dropRate?: number;
  /** Share of authenticated requests applied, then the socket destroyed before answering; default 0. */
  dropAfterRate?: number;
  /** Seed of the fault PRNG; default 1. */
  seed?: number;
  /** Send Retry-After (seconds) on 429; default false (Vitally's docs don't promise it). */
  retryAfter?: boolean;
  /** PUT on an unknown id/externalId of an account, organization or user; default '404'. */
  putUnknown?: '404' | 'create';
  /** POST account/user/organization with an existing externalId: update it (default) or 409. */
  postExisting?: 'update' | 'conflict';
  /** Catalogue served at /resources/customFields. `model` may be singular or plural ('account(s)'). */
  customFields?: CustomField[];
  /** Analytics message types answered 400 (e.g. ['user']). */
  blockedAnalyticsTypes?: string[];
  /** Seeded team members (note authors, task assignees, conversation participants). */
  admins?: Array<{ id?: string; email: string; name?: string }>;
  /** Keep a log of every request (method, path, status, body); default true. */
  recordRequests?: boolean;
}

export interface CustomField {
  model: string;
  label: string;
  path: string;
  type: string;
  options?: string[];
  createdAt?: string;
}

/** What happened to a request the sandbox did not answer normally. */
export type SandboxFault = 'drop' | 'fail' | 'dropAfter';

export interface RecordedRequest {
  method: string;
  /** Path with query string, as received. */
  path: string;
  /** Status answered; 0 when the socket was destroyed before anything was applied (fault 'drop'). For
   *  'dropAfter' it is the status the lost answer would have had. */
  status: number;
  /** Request body as text ('' for none; '' too when over the 1 MiB limit). Never any header. */
  body: string;
  api: 'rest' | 'analytics';
  /** Date.now() when the request was received. */
  at: number;
  fault?: SandboxFault;
}

export interface SandboxStats {
  /** Every request received, whatever became of it. */
  requests: number;
  /** Answers actually sent, by status (dropped requests are not counted here). */
  byStatus: Record<number, number>;
  /** 429 answers (REST and Analytics). */
  rateLimited: number;
  /** Applied writes: 2xx answers to POST/PUT/DELETE, REST and Analytics (including lost answers). */
  writes: number;
  /** Most REST requests accepted within any one window: proof that a client respected the limit. */
  maxInWindow: number;
  /** Same for the Analytics window (0 while analyticsRateLimit is null). */
  analyticsMaxInWindow: number;
  faults: { dropped: number; failed: number; droppedAfter: number };
  /** Analytics messages applied, and accepted but skipped as duplicates (same messageId and type). */
  messages: { applied: number; deduplicated: number };
}

/** Options after defaults; tests may change them at run time (e.g. sb.options.failRate = 0). Changes to
 *  `seed` take effect at the next reset(); host/port/admins are read at creation only. */
export interface ResolvedSandboxOptions {
  host: string;
  port: number;
  token: string;
  analyticsToken: string;
  rateLimit: RateLimitOptions;
  analyticsRateLimit: RateLimitOptions | null;
  latencyMs: number;
  failRate: number;
  dropRate: number;
  dropAfterRate: number;
  seed: number;
  retryAfter: boolean;
  putUnknown: '404' | 'create';
  postExisting: 'update' | 'conflict';
  customFields: CustomField[];
  blockedAnalyticsTypes: string[];
  admins: Array<{ id?: string; email: string; name?: string }>;
  recordRequests: boolean;
}

export interface Sandbox {
  /** REST base URL, e.g. http://127.0.0.1:54321 (paths /resources/...). */
  url: string;
  /** Analytics base URL: the same server (paths /analytics/v1/...), so analyticsUrl === url. */
  analyticsUrl: string;
  /** Current REST token (reads options.token). */
  readonly token: string;
  /** Current Analytics token (reads options.analyticsToken). */
  readonly analyticsToken: string;
  port: number;
  /** The request log (stays empty while options.recordRequests is false). */
  requests: RecordedRequest[];
  stats: SandboxStats;
  store: SandboxStore;
  options: ResolvedSandboxOptions;
  /** Clear records, events, the log, stats and rate windows; reseed the fault PRNG. Admins are kept. */
  reset(): void;
  /** Stop listening and close every connection, keep-alive ones included. */
  close(): Promise<void>;
}
