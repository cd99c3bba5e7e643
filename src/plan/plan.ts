/**
 * The mode dispatcher: (spec, mode, record) -> the requests a row needs. Pure and synchronous, so a
 * dry-run prints exactly what a real run sends. Modes are a table of what each may do.
 */
import { RowError } from '../errors.js';
import { fieldsFor, fillPath, recordPath, validate, type MappedRecord, type Mode, type ObjectSpec, type Phase, type Refs } from '../objects/index.js';
import type { PlannedRequest } from '../types.js';
import { hasKeys, placeholder, substitute, type IdFor } from './refs.js';

export { recordPath };

export const MODES = {
  insert: { create: true, update: false },
  upsert: { create: true, update: true },
  update: { create: false, update: true },
} as const satisfies Record<Mode, { create: boolean; update: boolean }>;

export const MODE_NAMES = Object.keys(MODES) as Mode[];

/**
 * What to do with a row. `first` is always sent. When it answers 404 (unknown record) the row is
 * created with `create` (upsert), or reported as not found (update). A create answered 409 (the record
 * appeared meanwhile) is followed by `first` once more.
 */
export interface RowPlan {
  key: string | null;
  /**
   * --match email, or a type whose records are found by a search (spec.locate): find the record first;
   * its id replaces `{{id}}` in `first.path`, and finding none counts as a 404.
   */
  lookup?: PlannedRequest;
  /** What the look-up looks for (the field of the record found, and its value); `bareList`: a search answering a bare array. */
  lookingFor?: { field: string; value: string; bareList: boolean };
  first: PlannedRequest;
  firstPhase: Phase;
  /** upsert: the POST to send on 404, or why the row cannot be created. */
  create?: PlannedRequest | RowError;
  /**
   * The record exists already (spec.existing: a conversation Vitally holds): `first` adds to it, its
   * answer carries `answerKey`, and the row's outcome is an update of the record `id`.
   */
  existing?: { id: string; answerKey: string };
}

/** `"name":` for each field name, built once. */
const jsonKeys = new Map<string, string>();
const jsonKey = (name: string): string => {
  let k = jsonKeys.get(name);
  if (k === undefined) jsonKeys.set(name, (k = `${JSON.stringify(name)}:`));
  return k;
};

/**
 * `"name":value`, from the memo when the other phase made it. A value JSON cannot hold (undefined from a
 * toJSON) gives undefined: it is left out, as JSON.stringify of the whole object would leave it.
 */
function piece(name: string, v: unknown, memo: Record<string, string> | undefined): string | undefined {
  let p = memo?.[name];
  if (p === undefined) {
    const json = JSON.stringify(v) as string | undefined;
    if (json === undefined) return undefined;
    p = jsonKey(name) + json;
    if (memo) memo[name] = p;
  }
  return p;
}

/**
 * Build the JSON body of a phase: the fields it may carry, in the spec's order, then traits. `memo`
 * keeps each field's serialised `"name":value` between the phases of one record (an upsert's PUT and
 * POST carry mostly the same fields), so no value is serialised twice.
 */
export function buildBody(spec: ObjectSpec, record: MappedRecord, phase: Phase, memo?: Record<string, string>): string {
  if (spec.shape) {
    const body: Record<string, unknown> = {};
    for (const name of fieldsFor(spec, phase)) {
      if (record[name] !== undefined) body[name] = record[name];
    }
    if (spec.traits && record.traits && hasKeys(record.traits)) body.traits = record.traits;
    return JSON.stringify(spec.shape(body));
  }
  let s = '';
  for (const name of fieldsFor(spec, phase)) {
    const v = record[name];
    const p = v === undefined ? undefined : piece(name, v, memo);
    if (p !== undefined) s = s === '' ? p : `${s},${p}`;
  }
  if (spec.traits && record.traits && hasKeys(record.traits)) {
    const p = piece('traits', record.traits, memo);
    if (p !== undefined) s = s === '' ? p : `${s},${p}`;
  }
  return `{${s}}`;
}

function checked(spec: ObjectSpec, record: MappedRecord, phase: Phase): RowError | null {
  const problem = validate(spec, record, phase);
  return problem ? new RowError('ROW_INVALID', `${problem.field}: ${problem.message}`, problem.field) : null;
}

/** How keyed records are found: by externalId (default) or, for users, by email. */
export type MatchBy = 'externalId' | 'email';

/** In a planned path, where the id a look-up finds goes (--match email). */
export const FOUND_ID = '{{id}}';

/** A row checked for its mode: its requests are built once the Vitally ids of its references are known. */
export interface CheckedRow {
  key: string | null;
  /**
   * The requests, with `idFor` giving each reference value's Vitally id (placeholders on a dry run);
   * `existingId`: the Vitally id of the record when Vitally holds it already (spec.existing).
   */
  requests(idFor: IdFor, existingId?: string): RowPlan;
}

/**
 * Check one mapped record for its mode, with placeholders for the ids of its references (a row that
 * cannot be sent costs no look-up). Throws RowError when the row cannot be sent at all in this mode (a
 * failed row, never sent). The bodies are built once, by `requests`, when the ids are known.
 */
export function checkRow(spec: ObjectSpec, mode: Mode, record: MappedRecord, refs: Refs, match: MatchBy = 'externalId'): CheckedRow {
  const withPlaceholders = substitute(spec, record, refs, placeholder);
  const keyValue = record[spec.key];
  const key = typeof keyValue === 'string' && keyValue !== '' ? keyValue : null;
  // undefined: no create is planned (update mode); null: the record may be created; else why not.
  let createErr: RowError | null | undefined;
  if (spec.kind === 'append' || mode === 'insert') {
    const err = checked(spec, withPlaceholders, 'create');
    if (err) throw err;
  } else {
    // Creating asks more of a record than updating (the same field types, more of them required), so a
    // record fit to create is fit to update: one schema check instead of two in the common case.
    createErr = MODES[mode].create ? checked(spec, withPlaceholders, 'create') : undefined;
    const err =
      match === 'email'
        ? typeof record.email === 'string' && record.email
          ? null
          : new RowError('ROW_INVALID', 'email: required to match by email', 'email')
        : createErr === null
          ? null
          : checked(spec, withPlaceholders, 'update');
    if (err) throw err;
  }
  return {
    key,
    requests: (idFor, existingId) =>
      build(spec, mode, idFor === placeholder ? withPlaceholders : substitute(spec, record, refs, idFor), key, match, createErr, existingId),
  };
}

/** The requests of a checked record (its reference fields filled). */
function build(
  spec: ObjectSpec,
  mode: Mode,
  record: MappedRecord,
  key: string | null,
  match: MatchBy,
  createErr: RowError | null | undefined,
  existingId: string | undefined,
): RowPlan {
  const memo = Object.create(null) as Record<string, string>;
  // The collection's path, its `:field` segments filled from the record (a message's conversation).
  const create = (): PlannedRequest => ({ method: 'POST', path: fillPath(spec.path, record), body: buildBody(spec, record, 'create', memo) });
  const existing = spec.existing;
  if (existing && existingId !== undefined) {
    const first: PlannedRequest = { method: 'POST', path: fillPath(existing.path, { id: existingId }), body: JSON.stringify(existing.shape(record)) };
    return { key, first, firstPhase: 'create', existing: { id: existingId, answerKey: existing.answerKey(record) } };
  }
  if (spec.kind === 'append' || mode === 'insert') return { key, first: create(), firstPhase: 'create' };
  // upsert and update address the record by its key, or by the id found for its email or by its search.
  const body = buildBody(spec, record, 'update', memo);
  const found = (lookup: PlannedRequest, lookingFor: RowPlan['lookingFor']): RowPlan => ({
    key,
    lookup,
    lookingFor,
    first: { method: 'PUT', path: `${spec.path}/${FOUND_ID}`, body },
    firstPhase: 'update',
  });
  const email = record.email as string;
  const plan: RowPlan =
    match === 'email'
      ? found({ method: 'GET', path: `${spec.path}/search?email=${encodeURIComponent(email)}` }, { field: 'email', value: email, bareList: false })
      : spec.locate
        ? found(spec.locate(key!), { field: spec.key, value: key!, bareList: true })
        : { key, first: { method: 'PUT', path: recordPath(spec, key!), body }, firstPhase: 'update' };
  if (createErr !== undefined) plan.create = createErr ?? create();
  return plan;
}

/** Check and plan a record whose references are already Vitally ids (or that has none). */
export function planRow(spec: ObjectSpec, mode: Mode, record: MappedRecord, match: MatchBy = 'externalId'): RowPlan {
  return checkRow(spec, mode, record, {}, match).requests(placeholder);
}

/** The requests a plan may send, in order (a dry run prints them). */
export function plannedRequests(plan: RowPlan): PlannedRequest[] {
  const requests = [...(plan.lookup ? [plan.lookup] : []), plan.first];
  if (plan.create && !(plan.create instanceof RowError)) requests.push(plan.create);
  return requests;
}
