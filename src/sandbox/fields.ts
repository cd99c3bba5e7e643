/**
 * Declarative body checks shared by the REST resources: each resource lists its writable fields with a
 * kind; anything else is rejected by name (read-only fields get their own message), so a client sending
 * a misspelt or read-only field learns it at once instead of having it silently dropped.
 */

import { badRequest, isPlainObject } from './http.js';
import type { SandboxStore } from './store.js';

export type Kind =
  | 'string' // any string
  | 'key' // non-empty string
  | 'object'
  | 'boolean'
  | 'integer'
  | 'datetime' // ISO 8601 date-time
  | 'date' // ISO 8601 date or date-time
  | 'stringArray'
  | 'array' // items checked by the resource
  | 'null'; // only null is accepted (e.g. accountOwnerId)

export interface FieldRule {
  kind: Kind;
  nullable?: boolean;
}

export type Shape = Record<string, FieldRule>;

/** Fields every record carries that no client may write. */
export const COMMON_READ_ONLY = ['id', 'createdAt', 'updatedAt'] as const;

const KIND_TEXT: Record<Kind, string> = {
  string: 'a string',
  key: 'a non-empty string',
  object: 'an object',
  boolean: 'a boolean',
  integer: 'an integer',
  datetime: 'an ISO 8601 date-time',
  date: 'an ISO 8601 date or date-time',
  stringArray: 'an array of strings',
  array: 'an array',
  null: 'null',
};

/** Reject unknown and read-only fields, then check each given field's type. `where` prefixes messages. */
export function checkShape(body: Record<string, unknown>, shape: Shape, readOnly: readonly string[], where = ''): void {
  for (const [field, value] of Object.entries(body)) {
    const rule = shape[field];
    if (!rule) {
      if (readOnly.includes(field) || (COMMON_READ_ONLY as readonly string[]).includes(field)) {
        badRequest(`${where}${field} is read-only`);
      }
      badRequest(`${where}Unknown field: ${field}`);
    }
    if (value === null && (rule.nullable || rule.kind === 'null')) continue;
    if (!matches(rule.kind, value)) {
      if (rule.kind === 'null') badRequest(`${where}${field} can only be set to null`);
      badRequest(`${where}${field} must be ${KIND_TEXT[rule.kind]}${rule.nullable ? ' or null' : ''}`);
    }
  }
}

function matches(kind: Kind, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'key':
      return typeof v === 'string' && v.length > 0;
    case 'object':
      return isPlainObject(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'integer':
      return Number.isInteger(v);
    case 'datetime':
      return typeof v === 'string' && isIsoDateTime(v);
    case 'date':
      return typeof v === 'string' && (isIsoDate(v) || isIsoDateTime(v));
    case 'stringArray':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'array':
      return Array.isArray(v);
    case 'null':
      return v === null;
  }
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function validDay(y: string, m: string, d: string): boolean {
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  return date.getUTCFullYear() === Number(y) && date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d);
}

export function isIsoDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  return m !== null && validDay(m[1] as string, m[2] as string, m[3] as string);
}

export function isIsoDateTime(s: string): boolean {
  const m = DATETIME_RE.exec(s);
  return m !== null && validDay(m[1] as string, m[2] as string, m[3] as string);
}

/** `field is required` unless the body has a non-null value for it. */
export function requireFields(body: Record<string, unknown>, fields: readonly string[], where = ''): void {
  for (const f of fields) {
    if (body[f] === undefined || body[f] === null) badRequest(`${where}${f} is required`);
  }
}

/** Traits merge key by key; a key set to null is removed. */
export function mergeTraits(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else target[k] = structuredClone(v);
  }
}

export function traitsOf(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isPlainObject(value)) mergeTraits(out, value);
  return out;
}

/** A relation field takes a Vitally id of an existing record (not an externalId). */
export function checkRef(store: SandboxStore, type: 'accounts' | 'organizations' | 'users', id: string): void {
  if (!store.find(type, id, false)) badRequest(`Unknown ${type.slice(0, -1)} id: ${id}`);
}

export function checkAdmin(store: SandboxStore, field: string, id: unknown): void {
  if (typeof id === 'string' && !store.admin(id)) badRequest(`Unknown admin id in ${field}: ${id}`);
}

/** externalId is set on create only: on update it may be repeated unchanged, never changed. */
export function checkExternalIdUnchanged(body: Record<string, unknown>, current: string | null): void {
  if (body.externalId !== undefined && body.externalId !== current) {
    badRequest('externalId cannot be changed once set');
  }
}
