/**
 * Stable identities for append-only rows. Vitally treats externalId as unique on notes and tasks (a
 * POST with a known one updates; for conversations this is unconfirmed), so a row sent with a
 * deterministic externalId can be sent again without creating a second record. A row without an
 * externalId column gets one derived from its mapped content: the same row in tomorrow's file gets the
 * same id; a row whose content changed is a different record.
 */
import { createHash } from 'node:crypto';
import type { MappedRecord, ObjectSpec } from '../objects/define.js';

/** JSON with object keys sorted, so the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function contentHash(parts: unknown): string {
  return createHash('sha256').update(canonicalJson(parts)).digest('hex');
}

/** The row's key (externalId, an event's messageId): its own when mapped, else `vs-` and 32 hex digits of its content's hash. */
export function withIdentity(spec: ObjectSpec, record: MappedRecord, refs: Record<string, string[]>): MappedRecord {
  if (spec.kind !== 'append' || record[spec.key] !== undefined) return record;
  return { ...record, [spec.key]: stableId([spec.name, record, refs]) };
}

export function stableId(parts: unknown): string {
  return `vs-${contentHash(parts).slice(0, 32)}`;
}

/**
 * Fill the fields Vitally requires that have a sensible default (documented per object). `first` holds
 * the values an earlier run filled for the same record: they are used again, so sending a row again
 * (--full) never moves a note to the time it was read the second time.
 */
export function withDefaults(spec: ObjectSpec, record: MappedRecord, first?: Record<string, unknown>): MappedRecord {
  if (!spec.defaults) return record;
  let out = record;
  for (const [field, make] of Object.entries(spec.defaults)) {
    if (out[field] === undefined) out = { ...out, [field]: first?.[field] ?? make() };
  }
  return out;
}

/** The values `withDefaults` filled in (absent from `before`), or undefined when it filled none. */
export function defaultsFilled(spec: ObjectSpec, before: MappedRecord, after: MappedRecord): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const field of Object.keys(spec.defaults ?? {})) {
    if (before[field] === undefined && after[field] !== undefined) (out ??= {})[field] = after[field];
  }
  return out;
}
