/**
 * Profiles: which Vitally the sandbox plays. `docs` (the default) behaves as Vitally's docs say; `live`
 * behaves as production clients of the real Vitally show it behaving (record shapes, a refused rename,
 * X-RateLimit headers over a fixed window, Analytics messages applied later or dropped, list quirks).
 * A profile is only a set of defaults for the behaviour options below: an option given explicitly wins.
 * docs/sandbox.md lists every option with where its behaviour comes from.
 */

export type Profile = 'docs' | 'live';
export const PROFILE_NAMES: readonly Profile[] = ['docs', 'live'];

export interface BehaviourOptions {
  // Unconfirmed by any source: each possibility is an option.
  /** PUT of an account/organization/user on an unknown id or externalId: 404, or create it. */
  putUnknown: '404' | 'create';
  /** POST of an account/organization/user (or custom object instance) repeating an externalId: update
   *  that record, answer 409, or create a second record with the same externalId. */
  postExisting: 'update' | 'conflict' | 'duplicate';
  /** `accountIds` / `organizationIds` on a user PUT: replace the user's links, or add to them. */
  userLinks: 'replace' | 'merge';
  /** `name` on an account PUT: accepted (renames), or refused with 400 naming `name`. */
  accountRename: 'accept' | 'refuse';
  /** Rate-limit headers: `RateLimit-*` (Limit as `1000, 1000;window=60`) or `X-RateLimit-*` (Limit `1000`). */
  rateLimitHeaders: 'ratelimit' | 'x-ratelimit';
  /** The Reset header: seconds until the window frees (delta), or the Unix time (seconds) when it does. */
  rateLimitReset: 'delta' | 'epoch';
  /** sliding: a request leaves the window windowMs after it was made; fixed: the window starts with its
   *  first request and empties windowMs later. */
  rateLimitWindow: 'sliding' | 'fixed';
  /** Send Retry-After (seconds) on 429. */
  retryAfter: boolean;
  /** Units of the REST allowance a write (POST, PUT, DELETE) takes; a read takes 1. */
  writeCost: number;
  /** false: the workspace has no organizations, and every /resources/organizations path answers 403. */
  organizations: boolean;

  // Seen in production clients of the real Vitally (live) versus the docs (docs).
  /** docs: records as sent (mrr... in traits, users with accountIds); live: accounts and organizations
   *  answer mrr, nextRenewalDate, churnedAt, trialEndDate at the top level (out of traits), users answer
   *  `accounts` and `organizations` arrays of embedded records instead of accountIds/organizationIds. */
  recordShape: 'docs' | 'live';
  /** as-sent: trait values come back as sent; epoch: in answered account, organization and user traits,
   *  a string holding an ISO 8601 date or date-time comes back as milliseconds since the epoch (a date
   *  or a date-time without an offset read as UTC). */
  traitDates: 'as-sent' | 'epoch';
  /** at-once: Analytics messages are applied before the 200; deferred: after it (see analyticsDelayMs;
   *  `await sb.settled()` waits until everything received is applied). */
  analyticsApply: 'at-once' | 'deferred';
  /** With analyticsApply 'deferred': how long after the answer messages are applied (0: the next turn of
   *  the event loop, before a client can read anything back; the live profile's 200 lets a read made
   *  right after the answer find nothing yet, as a queue would). */
  analyticsDelayMs: number;
  /** reject: an invalid Analytics message fails its request (400, the whole batch); drop: the request is
   *  answered 200 and the invalid message is dropped (sb.store.droppedMessages says why). */
  analyticsInvalid: 'reject' | 'drop';
  /** create: a message naming an account/organization externalId not yet known creates a placeholder;
   *  drop: the message is dropped. */
  analyticsUnknown: 'create' | 'drop';
  /** Conversation lists also carry `atEnd` (true when no record follows the page). */
  conversationAtEnd: boolean;
  /** How a list ends: `next: null` on its last page, or (empty-page) the last page still carries a
   *  `next`, and that cursor answers `{results: [], next: <the same cursor>}`. */
  listEnd: 'null' | 'empty-page';
  /** A message's `to` (on conversations and appended messages): required, or optional. */
  messageTo: 'required' | 'optional';
  /** GET /resources/customObjects: a bare array, or a `{results, next}` page. */
  customObjectsList: 'array' | 'page';
}

export const PROFILES: Record<Profile, BehaviourOptions> = {
  docs: {
    putUnknown: '404',
    postExisting: 'update',
    userLinks: 'replace',
    accountRename: 'accept',
    rateLimitHeaders: 'ratelimit',
    rateLimitReset: 'delta',
    rateLimitWindow: 'sliding',
    retryAfter: false,
    writeCost: 1,
    organizations: true,
    recordShape: 'docs',
    traitDates: 'as-sent',
    analyticsApply: 'at-once',
    analyticsDelayMs: 0,
    analyticsInvalid: 'reject',
    analyticsUnknown: 'create',
    conversationAtEnd: false,
    listEnd: 'null',
    messageTo: 'required',
    customObjectsList: 'array',
  },
  live: {
    putUnknown: '404',
    postExisting: 'update',
    userLinks: 'replace',
    accountRename: 'refuse',
    rateLimitHeaders: 'x-ratelimit',
    rateLimitReset: 'epoch',
    rateLimitWindow: 'fixed',
    retryAfter: false,
    writeCost: 1,
    organizations: true,
    recordShape: 'live',
    traitDates: 'epoch',
    analyticsApply: 'deferred',
    analyticsDelayMs: 200,
    analyticsInvalid: 'drop',
    analyticsUnknown: 'drop',
    conversationAtEnd: true,
    listEnd: 'empty-page',
    messageTo: 'optional',
    customObjectsList: 'page',
  },
};

/** The allowed values of each enumerated behaviour option (booleans and numbers are checked apart). */
export const CHOICES = {
  putUnknown: ['404', 'create'],
  postExisting: ['update', 'conflict', 'duplicate'],
  userLinks: ['replace', 'merge'],
  accountRename: ['accept', 'refuse'],
  rateLimitHeaders: ['ratelimit', 'x-ratelimit'],
  rateLimitReset: ['delta', 'epoch'],
  rateLimitWindow: ['sliding', 'fixed'],
  recordShape: ['docs', 'live'],
  traitDates: ['as-sent', 'epoch'],
  analyticsApply: ['at-once', 'deferred'],
  analyticsInvalid: ['reject', 'drop'],
  analyticsUnknown: ['create', 'drop'],
  listEnd: ['null', 'empty-page'],
  messageTo: ['required', 'optional'],
  customObjectsList: ['array', 'page'],
} as const satisfies Partial<Record<keyof BehaviourOptions, readonly string[]>>;
