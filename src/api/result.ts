/**
 * A row's result as the tool hands it out: what `push --json` prints for it, and what `push()` yields.
 * What was read (the record, or the raw text of a malformed one) stays out of printed lines; it goes to
 * the rejects file, and to `push()`'s callers on failed rows only.
 */
import type { RowResult } from '../types.js';

/** A planned request, its body as the JSON value it is (dry runs). */
export interface PublicRequest {
  method: string;
  path: string;
  body?: unknown;
}

/** What a result holds that is never printed: what was read, and what the state store is told. */
type Internal = 'source' | 'raw' | 'requests' | 'maybeApplied' | 'kept' | 'incomplete';

/**
 * One row's result, as `push --json` prints it: `row` (0 for the work after the last row:
 * --delete-missing, --unlink-removed), `line`, `key`, `status`, `action`, `id` (Vitally's), `httpStatus`,
 * `error`, `note` (what the row asked that Vitally did not do), on a dry run the `requests` a real run
 * would send, and, compared with Vitally, the `change` it would make (what diff shows).
 */
export type PublicResult = Omit<RowResult, Internal> & { requests?: PublicRequest[] };

/** A result as printed: what was read (source, raw) stays out; it goes to the rejects file only. */
export function publicResult(r: RowResult): PublicResult {
  const out: PublicResult = {
    row: r.row,
    ...(r.line !== undefined ? { line: r.line } : {}),
    key: r.key,
    status: r.status,
    action: r.action,
    id: r.id,
    httpStatus: r.httpStatus,
    error: r.error,
    ...(r.note !== undefined ? { note: r.note } : {}),
    ...(r.change ? { change: r.change } : {}),
  };
  if (r.requests) {
    out.requests = r.requests.map((q) => ({ method: q.method, path: q.path, ...(q.body === undefined ? {} : { body: JSON.parse(q.body) as unknown }) }));
  }
  return out;
}
