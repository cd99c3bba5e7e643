/**
 * Names Vitally will not change. Vitally's current accounts page says an account's `name` is not
 * editable through REST, and no production client renames by PUT; an older page says it is. So an
 * update survives both answers:
 * - a PUT refused because of `name` (a 400 or 422 whose message names it) is sent again without it,
 *   and for the rest of the run no PUT of that object type carries `name`;
 * - whatever was sent, when the record Vitally answers keeps another name than the row's, the row is
 *   reported `ok` with a note saying the name was not changed and how to rename (the Analytics API,
 *   whose `traits.name` does), and it is not recorded as sent in full: the next run sends it again.
 */
import { ApiError } from '../errors.js';
import type { PlannedRequest } from '../types.js';
import { readRecord, sameValue } from './records.js';

/** One run's knowledge of whether Vitally takes a `name` on PUT (per object type: a run sends one). */
export class NamePolicy {
  /** Vitally refused a `name` on PUT in this run: later PUTs leave it out. */
  refused = false;

  constructor(
    private readonly object: string,
    /** An Analytics API token is configured (renaming needs it). */
    private readonly analyticsToken: boolean,
  ) {}

  /** The PUT as it goes now: without `name` once Vitally refused one. */
  first(req: PlannedRequest): PlannedRequest {
    return this.refused && req.method === 'PUT' ? withoutName(req) : req;
  }

  /** The error is Vitally refusing the `name` of this PUT: remember it, and give the PUT to send instead. */
  retryWithout(err: unknown, req: PlannedRequest): PlannedRequest | null {
    if (req.method !== 'PUT' || !(err instanceof ApiError) || (err.status !== 400 && err.status !== 422)) return null;
    if (!/\bname\b/i.test(err.detail) || nameOf(req) === undefined) return null;
    this.refused = true;
    return withoutName(req);
  }

  /**
   * The note when the record answered keeps another name than the one the row asked for (`wanted`), or
   * null when the name is what the row says (or the row names none, or the answer shows none).
   */
  note(wanted: unknown, answer: unknown): string | null {
    if (typeof wanted !== 'string') return null;
    const kept = readRecord(answer)?.fields.name;
    if (kept === undefined || sameValue(wanted, kept)) return null;
    const why = this.refused ? `Vitally refuses "name" on PUT: ${this.object} names are not editable through the REST API` : `Vitally kept the name it had`;
    const how = this.analyticsToken
      ? `rename through the Analytics API, which takes traits.name: push the same file with --via analytics`
      : `renaming takes the Analytics API (traits.name): set VITALLY_ANALYTICS_TOKEN (or --analytics-token-file) and push the same file with --via analytics`;
    return `name not changed: Vitally still has ${JSON.stringify(kept)}, not ${JSON.stringify(wanted)} (${why}); ${how}`;
  }
}

/** The `name` a request's body carries, if any. */
export function nameOf(req: PlannedRequest): unknown {
  if (!req.body) return undefined;
  return (JSON.parse(req.body) as Record<string, unknown>).name;
}

/** The request without the `name` its body carries. */
export function withoutName(req: PlannedRequest): PlannedRequest {
  if (!req.body) return req;
  const { name: _name, ...rest } = JSON.parse(req.body) as Record<string, unknown>;
  return { ...req, body: JSON.stringify(rest) };
}
