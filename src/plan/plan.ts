/**
 * The mode dispatcher: (spec, mode, record) -> the requests a row needs. Pure and synchronous, so a
 * dry-run prints exactly what a real run sends. Modes are a table of what each may do.
 */
import { RowError } from '../errors.js';
import { fieldsFor, validate, type MappedRecord, type Mode, type ObjectSpec, type Phase } from '../objects/define.js';
import type { PlannedRequest } from '../types.js';

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
   * --match email: find the record first (GET .../search?email=); its id replaces `{{id}}` in
   * `first.path`, and finding none counts as a 404.
   */
  lookup?: PlannedRequest;
  first: PlannedRequest;
  firstPhase: Phase;
  /** upsert: the POST to send on 404, or why the row cannot be created. */
  create?: PlannedRequest | RowError;
}

export function recordPath(spec: ObjectSpec, key: string): string {
  return `${spec.path}/${encodeURIComponent(key)}`;
}

/** Build the JSON body of a phase: the fields it may carry, in the spec's order, then traits. */
export function buildBody(spec: ObjectSpec, record: MappedRecord, phase: Phase): string {
  const body: Record<string, unknown> = {};
  for (const name of fieldsFor(spec, phase)) {
    if (record[name] !== undefined) body[name] = record[name];
  }
  if (spec.traits && record.traits && Object.keys(record.traits).length > 0) body.traits = record.traits;
  return JSON.stringify(spec.shape ? spec.shape(body) : body);
}

function checked(spec: ObjectSpec, record: MappedRecord, phase: Phase): RowError | null {
  const problem = validate(spec, record, phase);
  return problem ? new RowError('ROW_INVALID', `${problem.field}: ${problem.message}`, problem.field) : null;
}

/**
 * Plan one validated-by-mapping record. Throws RowError when the row cannot be sent at all in this mode
 * (a failed row, never sent).
 */
export type MatchBy = 'externalId' | 'email';

export const FOUND_ID = '{{id}}';

export function planRow(spec: ObjectSpec, mode: Mode, record: MappedRecord, match: MatchBy = 'externalId'): RowPlan {
  const keyValue = record[spec.key];
  const key = typeof keyValue === 'string' && keyValue !== '' ? keyValue : null;
  const create = (): PlannedRequest => ({ method: 'POST', path: spec.path, body: buildBody(spec, record, 'create') });

  if (spec.kind === 'append' || mode === 'insert') {
    const err = checked(spec, record, 'create');
    if (err) throw err;
    return { key, first: create(), firstPhase: 'create' };
  }
  // upsert and update address the record by its key, or by the id found for its email.
  const byEmail = match === 'email';
  // Creating asks more of a record than updating (the same field types, more of them required), so a
  // record fit to create is fit to update: one schema check instead of two in the common case.
  const createErr = MODES[mode].create ? checked(spec, record, 'create') : undefined;
  const err = byEmail
    ? typeof record.email === 'string' && record.email
      ? null
      : new RowError('ROW_INVALID', 'email: required to match by email', 'email')
    : createErr === null
      ? null
      : checked(spec, record, 'update');
  if (err) throw err;
  const body = buildBody(spec, record, 'update');
  const plan: RowPlan = byEmail
    ? {
        key,
        lookup: { method: 'GET', path: `${spec.path}/search?email=${encodeURIComponent(record.email as string)}` },
        first: { method: 'PUT', path: `${spec.path}/${FOUND_ID}`, body },
        firstPhase: 'update',
      }
    : { key, first: { method: 'PUT', path: recordPath(spec, key!), body }, firstPhase: 'update' };
  if (createErr !== undefined) plan.create = createErr ?? create();
  return plan;
}

/** The requests a plan may send, in order (a dry run prints them). */
export function plannedRequests(plan: RowPlan): PlannedRequest[] {
  const requests = [...(plan.lookup ? [plan.lookup] : []), plan.first];
  if (plan.create && !(plan.create instanceof RowError)) requests.push(plan.create);
  return requests;
}
