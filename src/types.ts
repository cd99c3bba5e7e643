/** Types shared by the pipeline stages (source -> map -> validate -> plan -> send -> report). */

import type { RowError } from './errors.js';

/** Where requests go and with which credential: a REST or Analytics API host and its token. */
export interface Connection {
  baseUrl: string;
  token: string;
  /** How the user set the token, for messages ("VITALLY_API_TOKEN", "--token-file ./t"). */
  tokenSource: string;
}

/** Vitally ids already known for the customer's ids (the state store keeps them across runs). */
export interface IdCache {
  get(object: string, externalId: string): string | undefined;
  set(object: string, externalId: string, id: string): void;
}

/**
 * One record out of a reader. `row` is the 1-based record number; `line` says where it is in the input:
 * the file line it starts on (CSV, NDJSON), its 0-based row index (Parquet), its row number (Postgres).
 */
export interface SourceRecord {
  row: number;
  line: number;
  /**
   * The record's fields. CSV: strings keyed by header. NDJSON: JSON values. Parquet, Postgres: typed JSON
   * values, undefined for a null. Absent when `error` is set.
   */
  data?: Record<string, unknown>;
  /** A record that could not be read (malformed CSV, a line that is not JSON): it fails alone. */
  error?: RowError;
  /** The raw text of a malformed record, for the rejects file. */
  raw?: string;
  /**
   * Set with `error` when the reader cannot go on (an unclosed quote runs to the end of the file): this is
   * the last record. The run knows the file was not read whole (so it must not mirror deletions).
   */
  fatal?: boolean;
}

/** An input format: the name of a reader in the registry (src/source/readers.ts). */
export type InputFormat = string;

/** One HTTP request, fully built: a retry resends exactly these bytes. */
export interface PlannedRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, with query string, e.g. /resources/accounts/acme%201 */
  path: string;
  /** JSON text, or undefined for GET/DELETE. */
  body?: string;
}

/**
 * ok: Vitally confirmed it; accepted: the Analytics API took it without confirming anything about it
 * (it may still drop it); skipped: nothing sent; failed: not sent, or refused.
 */
export type RowStatus = 'ok' | 'accepted' | 'skipped' | 'failed';

export type RowAction =
  | 'created'
  | 'updated'
  | 'accepted'
  | 'deleted'
  | 'unlinked'
  | 'unchanged'
  | 'not_found'
  | 'planned'
  | 'interrupted'
  | 'invalid'
  | 'error'
  | 'verified'
  | 'not_landed';

/** One value a write would change: the field (`name`, `traits.mrr`, `accounts`), what Vitally has, what it would have. */
export interface FieldChange {
  field: string;
  old: unknown;
  new: unknown;
}

/**
 * How a row would change the workspace, as a listing of it showed (a dry run comparing with Vitally,
 * `diff`): a record Vitally does not have, or the values of one it has that differ.
 */
export interface RowChange {
  kind: 'new' | 'changed';
  fields: FieldChange[];
}

/** What happened to one row: printed as a line, or as NDJSON with --json. */
export interface RowResult {
  row: number;
  line?: number;
  key: string | null;
  status: RowStatus;
  action: RowAction;
  id: string | null;
  httpStatus: number | null;
  error: string | null;
  /** What the row's result must add on a success: a name Vitally kept, ... (printed after the id). */
  note?: string;
  /** Set on failed rows: the record as read, for the rejects file (never printed in result lines). */
  source?: Record<string, unknown> | undefined;
  raw?: string | undefined;
  /** A failure whose request may still have been applied (not printed; keeps the row in doubt). */
  maybeApplied?: boolean;
  /** Dry-run only: the requests a real run would send. */
  requests?: PlannedRequest[];
  /** Dry-run only, comparing with Vitally: what the row would change there. */
  change?: RowChange;
  /** Values the state store keeps for later runs (not printed): a user's links sent. */
  kept?: Record<string, unknown>;
  /** A success that did not apply all the row asked (not printed): not recorded as sent in full. */
  incomplete?: boolean;
}

export interface Summary {
  rows: number;
  ok: number;
  /** Rows the Analytics API accepted, which it does not confirm (a note in `warnings` says so). */
  accepted: number;
  skipped: number;
  failed: number;
  byAction: Partial<Record<RowAction, number>>;
  requests: number;
  retries: number;
  rateLimited: number;
  durationMs: number;
  rowsPerSecond: number;
  interrupted: boolean;
  /** Things the user should know that are not a row's result (e.g. why nothing was deleted). */
  warnings?: string[];
  /**
   * The type each trait column was sent with, and where it came from: `map` (--map, a sync's types),
   * `vitally` (the trait catalogue), `inferred` (the column's first values), `as-read` (untyped).
   */
  traitTypes?: Array<{ column: string; trait: string; type: string; from: 'map' | 'vitally' | 'inferred' | 'as-read' }>;
  /** How the input was read, where it was not plain (the delimiter found, the column names matched by alias). */
  notes?: string[];
  /** What the rows were compared with before sending (--compare), and what that cost. */
  compare?: CompareSummary;
  /** --verify: how many of the rows the Analytics API accepted were then found in Vitally. */
  verify?: VerifySummary;
  rejectsFile?: string | undefined;
  requestLog?: string | undefined;
}

export interface CompareSummary {
  /** state: the state store's record of what was sent; vitally: a listing of the workspace; none: nothing (every row sent). */
  with: 'state' | 'vitally' | 'none';
  /** Why this comparison: given (--compare, or a sync's `compare`), or chosen by the run (and why). */
  chosen: string;
  /** --compare vitally: the records of the type listed, and the requests that took. */
  listed?: number;
  listRequests?: number;
  /** Records listed that no row of the input names (created elsewhere, or left out of the input). */
  notInInput?: number;
}

export interface VerifySummary {
  /** Rows the Analytics API accepted that were looked for. */
  rows: number;
  /** Found in Vitally with the values sent: now confirmed. */
  landed: number;
  /** Not found so before the wait ended: reported failed, and sent again by the next run. */
  notLanded: number;
  /** Requests the checks took, and how long the wait was. */
  requests: number;
  waitedMs: number;
}
