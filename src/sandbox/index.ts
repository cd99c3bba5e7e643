/**
 * The sandbox: a local Vitally-compatible HTTP server (REST API under /resources, Analytics API under
 * /analytics/v1, both on the same port) used by the tests and by users who want to try a sync without a
 * Vitally account. Its `docs` profile (the default) emulates what Vitally's docs say (auth, validation,
 * rate-limit headers), including the strict parts; its `live` profile behaves as production clients of
 * the real Vitally show it behaving (profiles.ts, docs/sandbox.md).
 *
 *     const sb = await createSandbox({ profile: 'live', rateLimit: { limit: 5, windowMs: 1000 } });
 *     // REST:      `${sb.url}/resources/accounts`        Authorization: Basic base64(sb.token + ':')
 *     // Analytics: `${sb.analyticsUrl}/analytics/v1/track` Authorization: Basic <sb.analyticsToken>
 *     await sb.settled(); // Analytics messages received so far are applied (live applies them later)
 *     await sb.close();
 *
 * `analyticsUrl` equals `url`: the real Analytics API lives on another host, the sandbox serves both.
 */

import type { BehaviourOptions, Profile } from './profiles.js';
import type { SandboxStore } from './store.js';

export { createSandbox } from './server.js';
export { SandboxStore } from './store.js';
export { PROFILES, PROFILE_NAMES, CHOICES } from './profiles.js';
export type { BehaviourOptions, Profile } from './profiles.js';
export type { RecordType, SandboxRecord, SandboxAdmin, AnalyticsEvent, DroppedMessage } from './store.js';

export interface RateLimitOptions {
  limit: number;
  windowMs: number;
}

/** Every behaviour option (profiles.ts) may be given; those left out take the profile's value. */
export interface SandboxOptions extends Partial<BehaviourOptions> {
  /** Which Vitally to play: 'docs' (default) or 'live'. */
  profile?: Profile;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** REST secret token; default 'sk_sandbox_' + 24 random hex chars. */
  token?: string;
  /** Analytics API token; default 'an_sandbox_' + 24 random hex chars. */
  analyticsToken?: string;
  /** REST rate window (sliding or fixed: rateLimitWindow); default { limit: 1000, windowMs: 60_000 }. */
  rateLimit?: RateLimitOptions;
  /** Analytics rate window (same kind and headers as REST); default null = unlimited, no headers. */
  analyticsRateLimit?: RateLimitOptions | null;
  /** The rate windows' clock, in milliseconds since the epoch (epoch Reset headers read it too);
   *  default the process's monotonic clock. Tests pass a fake one to move time without waiting. */
  now?: () => number;
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
  /** Catalogue served at /resources/customFields. `model` may be singular or plural ('account(s)'). */
  customFields?: CustomField[];
  /** Custom object definitions served at /resources/customObjects (their fields also at
   *  /resources/customFields?model=customObjects&customObjectId=<id>). Default none. */
  customObjects?: CustomObjectOptions[];
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

export interface CustomObjectOptions {
  /** Default a random UUID. */
  id?: string;
  /** The machine name (e.g. 'subscription'): what a client finds the object by. */
  name: string;
  /** Default the name. */
  label?: string;
  fields?: CustomObjectField[];
}

export interface CustomObjectField {
  /** Default a random UUID (the customFieldId of instance searches). */
  id?: string;
  label: string;
  /** The trait key, e.g. 'vitally.custom.seats'. */
  path: string;
  type: string;
  options?: string[];
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
  /** Analytics messages answered 200 and dropped (store.droppedMessages says which and why). */
  messagesDropped: number;
}

/** Options after defaults; tests may change them at run time (e.g. sb.options.failRate = 0). Changes to
 *  `seed` take effect at the next reset(); host/port/admins/customObjects/now are read at creation only. */
export interface ResolvedSandboxOptions extends BehaviourOptions {
  profile: Profile;
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
  customFields: CustomField[];
  customObjects: Array<Required<Pick<CustomObjectOptions, 'id' | 'name' | 'label'>> & { fields: Array<CustomObjectField & { id: string }> }>;
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
  /** Resolves once every Analytics message received so far has been applied (or dropped): at once
   *  unless analyticsApply is 'deferred'. */
  settled(): Promise<void>;
  /** Apply every Analytics message received and not yet applied, now (Vitally catching up). */
  flush(): void;
  /** Clear records, events, the log, stats, rate windows and Analytics messages not yet applied;
   *  reseed the fault PRNG. Admins and custom object definitions are kept. */
  reset(): void;
  /** Stop listening and close every connection, keep-alive ones included. */
  close(): Promise<void>;
}
