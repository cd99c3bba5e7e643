/** What the object specs share to say how their rows become Analytics API messages. */
import { RowError } from '../errors.js';
import type { MappedRecord } from './define.js';

/** A row that cannot travel through the Analytics API: it fails with this reason. */
export function refuse(field: string, message: string): never {
  throw new RowError('ROW_INVALID', `${field}: ${message}`, field);
}

/** The row's traits plus the standard fields a message carries among its traits (name, email, ...). */
export function traitsWith(record: MappedRecord, reserved: Record<string, unknown>): Record<string, unknown> {
  const traits: Record<string, unknown> = { ...(record.traits ?? {}) };
  for (const [k, v] of Object.entries(reserved)) if (v !== undefined) traits[k] = v;
  return traits;
}
