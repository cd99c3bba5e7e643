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

/** `"name":` for each field name, built once. */
const jsonKeys = new Map<string, string>();
const jsonKey = (name: string): string => {
  let k = jsonKeys.get(name);
  if (k === undefined) jsonKeys.set(name, (k = `${JSON.stringify(name)}:`));
  return k;
};

const hasKeys = (o: object): boolean => {
  for (const _ in o) return true;
  return false;
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

/**
 * Plan one validated-by-mapping record. Throws RowError when the row cannot be sent at all in this mode
 * (a failed row, never sent).
 */
export type MatchBy = 'externalId' | 'email';

export const FOUND_ID = '{{id}}';

export function planRow(spec: ObjectSpec, mode: Mode, record: MappedRecord, match: MatchBy = 'externalId'): RowPlan {
  const keyValue = record[spec.key];
  const key = typeof keyValue === 'string' && keyValue !== '' ? keyValue : null;
  const memo = Object.create(null) as Record<string, string>;
  const create = (): PlannedRequest => ({ method: 'POST', path: spec.path, body: buildBody(spec, record, 'create', memo) });

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
  const body = buildBody(spec, record, 'update', memo);
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
