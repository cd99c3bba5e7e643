/**
 * When a 2xx answer confirms a request. No answer is believed without a body that says so: an HTML
 * page, an empty body or another record is not a success, whatever its status. The sender applies one
 * of these rules to every 2xx answer (`jsonAnswer` unless the caller names another); an answer that
 * does not confirm fails its request with UnconfirmedError (in doubt, not retried, never recorded as
 * sent). Each rule returns null when the answer confirms, else why it does not.
 *
 * The answer has been scrubbed of the credential by the transport, so a value sent is compared as it
 * reads once scrubbed the same way (`scrub`): a key that holds the token comes back as ***.
 */
import type { HttpResponse } from './http.js';

export type Confirm = (res: HttpResponse, scrub?: (text: string) => string) => string | null;

type Json = Record<string, unknown>;

/** Why the body is not a JSON object or array, or null when it is one. */
function notJson(res: HttpResponse): string | null {
  if (res.body.trim() === '') return 'its body is empty';
  if (res.json === undefined) {
    const type = res.headers['content-type']?.split(';')[0]?.trim();
    return `its body is not JSON${type ? ` (${type})` : ''}`;
  }
  if (res.json === null || typeof res.json !== 'object') return `its body is ${JSON.stringify(res.json)}, not a JSON object`;
  return null;
}

/** Why the body is not one JSON object (a record), or null when it is one. */
function notObject(res: HttpResponse): string | null {
  const why = notJson(res);
  if (why) return why;
  return Array.isArray(res.json) ? 'its body is a list, not a record' : null;
}

const same = (field: string, a: unknown, b: string) => typeof a === 'string' && (field === 'email' ? a.toLowerCase() === b.toLowerCase() : a === b);

const asIs = (text: string) => text;

/** Why `record` is another record than the one named (its `field` says otherwise), or null. */
function other(record: Json, field: string, value: string | null, scrub: (text: string) => string): string | null {
  if (value === null || !(field in record) || same(field, record[field], scrub(value))) return null;
  return `the record in it has ${field} ${JSON.stringify(record[field])}, not ${JSON.stringify(value)}`;
}

/** Any answer the tool reads: a JSON object or array (Analytics answers, the trait catalogue, lists). */
export const jsonAnswer: Confirm = notJson;

/**
 * A create or an update: the record, one object with a string id (every Vitally record has one, so `{}`
 * or `{"error": ...}` confirms nothing), carrying the key sent (`field` = `value`) when one was sent.
 */
export function confirmsWrite(field: string, value: string | null): Confirm {
  return (res, scrub = asIs) => {
    const why = notObject(res);
    if (why) return why;
    const j = res.json as Json;
    if (typeof j.id !== 'string') return 'its body is not a record with an id';
    if (value !== null && !(field in j)) return `the record in it has no ${field} (${JSON.stringify(value)} was sent)`;
    return other(j, field, value, scrub);
  };
}

/**
 * A look-up of `value` by `field`: a record (an object with a string id, carrying the value where it
 * has the field), or a search's answer `{"results": [...]}` whose first result, if any, is such a record.
 * `bareList`: the search answers a bare array of them (custom object instances); otherwise a list is no answer.
 */
export function confirmsLookup(field: string, value: string, bareList = false): Confirm {
  return (res, scrub = asIs) => {
    const why = bareList ? notJson(res) : notObject(res);
    if (why) return why;
    const j = res.json as Json;
    const results = Array.isArray(j) ? (j as unknown[]) : Array.isArray(j.results) ? (j.results as unknown[]) : null;
    if (results) {
      const first = results[0];
      if (first === undefined) return null;
      if (!first || typeof first !== 'object' || typeof (first as Json).id !== 'string') return 'its first search result is not a record with an id';
      return other(first as Json, field, value, scrub);
    }
    if (typeof j.id !== 'string') return 'its body is neither a record with an id nor a search result';
    return other(j, field, value, scrub);
  };
}

/** A page of a list: `{"results": [...]}` (with its `next`), or a bare array (a list Vitally does not page). */
export const confirmsPage: Confirm = (res) => {
  const why = notJson(res);
  if (why) return why;
  const j = res.json as Json;
  return Array.isArray(j) || Array.isArray(j.results) ? null : 'its body is not a list page ({"results": [...]})';
};

/**
 * A delete: 204 with no body, or the deleted record (an object carrying the key, and the Vitally id
 * when it was deleted by id, where it has those fields). An empty 200 confirms nothing.
 */
export function confirmsDelete(field: string, value: string, id: string | null): Confirm {
  return (res, scrub = asIs) => {
    if (res.status === 204 && res.body.trim() === '') return null;
    return notObject(res) ?? other(res.json as Json, field, value, scrub) ?? other(res.json as Json, 'id', id, scrub);
  };
}
