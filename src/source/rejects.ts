/**
 * A rejects file (--rejects) read back as input: each of its lines is a failed row, its record under
 * `record` (`{"row":2,"line":3,"key":"b","error":"...","record":{...}}`), or the `raw` text of a record
 * that could not be read. Pushing the file once the cause is fixed sends those records as they were
 * read, whatever the input they came from; the NDJSON reader tells such a file by its first line.
 */
import { RowError } from '../errors.js';
import type { SourceRecord } from '../types.js';

/** The keys a rejects line may hold (api/rejects.ts writes them). */
const KEYS = new Set(['row', 'line', 'key', 'error', 'record', 'raw']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The value is a line of a rejects file: a row number, an error, and the record (or raw text) it failed with. */
export function isRejectsLine(value: Record<string, unknown>): boolean {
  for (const k of Object.keys(value)) if (!KEYS.has(k)) return false;
  return typeof value.row === 'number' && typeof value.error === 'string' && (isObject(value.record) || typeof value.raw === 'string' || value.row === 0);
}

/**
 * One line of a rejects file as the record to send again; a line that carries no record (one that
 * could not be read where it came from, a deletion that failed) or that is no rejects line fails alone.
 */
export function rejectedRecord(value: Record<string, unknown>, row: number, line: number, text: string): SourceRecord {
  if (isRejectsLine(value) && isObject(value.record)) return { row, line, data: value.record };
  const fail = (message: string) => ({ row, line, error: new RowError('ROW_INVALID', `line ${line}: ${message}`), raw: text });
  if (!isRejectsLine(value)) return fail('not a rejected row like the lines before it (row, error, record)');
  const from = `row ${String(value.row)}${typeof value.line === 'number' ? ` (line ${value.line})` : ''} of its input`;
  if (typeof value.raw === 'string') {
    return fail(`${from} could not be read there (${String(value.error)}), so there is no record to send: fix it in that input and push it from there`);
  }
  return fail(`a failed deletion (${String(value.error)}) holds no record to send; the next --delete-missing run deletes it again`);
}
