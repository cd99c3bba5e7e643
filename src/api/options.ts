/**
 * The types of the programmatic push(): its options, its results, the run it returns. Each setting has
 * the name, the meaning and the default of its flag (`concurrency` is `--concurrency`); values are typed
 * as in a config file. docs/api.md is the guide.
 */
import type { Readable } from 'node:stream';
import type { Summary } from '../types.js';
import type { PublicResult } from './result.js';

export interface PushOptions {
  /**
   * What to read: a file path (relative to `cwd`; CSV, TSV, NDJSON, a JSON array, Parquet by extension or
   * `format`; gzip-compressed text too, `.csv.gz`), a `postgres://` URL (with `query`), or a Readable
   * stream of CSV, NDJSON or a JSON array (with `format`; gzip bytes are read too). May be left out with
   * `sync`, whose file is read.
   */
  input?: string | Readable;
  /** The object type: account, user, organization, note, task, conversation, event. */
  object?: string;
  /** insert, upsert or update; default upsert (insert for notes, tasks, conversations and events). */
  mode?: 'insert' | 'upsert' | 'update';
  /** The input's format when neither its extension nor its scheme says it (a stream): csv, ndjson, json, parquet, postgres. */
  format?: string;

  // Where to send, and with which credentials. Nothing is read from process.env: pass `env` for that.
  /** The REST API token (`sk_...`), or a ready-made `Basic ...` value. */
  token?: string;
  /** The Analytics API token (events, `via: 'analytics'`). */
  analyticsToken?: string;
  /** A file holding the REST token, instead of `token`. */
  tokenFile?: string;
  /** A file holding the Analytics token, instead of `analyticsToken`. */
  analyticsTokenFile?: string;
  /** us (default) or eu. */
  region?: 'us' | 'eu';
  /** The subdomain of a US workspace (`acme` for https://acme.rest.vitally.io). */
  subdomain?: string;
  /** Another REST host (a sandbox's `url`); plain http:// only to loopback addresses. */
  baseUrl?: string;
  /** Another Analytics host. */
  analyticsBaseUrl?: string;
  /** Send to an in-process sandbox, started and closed with the run (its records vanish). */
  sandbox?: boolean;

  // How columns become fields.
  /** Column mappings: `['mrr=traits.mrr:number']`, or `{ mrr: 'traits.mrr:number' }`. */
  map?: string[] | Record<string, string>;
  /** A mapping file's path, or its content: `{ columns: { mrr: 'traits.mrr:number' }, ignore: ['notes'] }`. */
  mapping?: string | { columns?: Record<string, string>; ignore?: string[] };
  /** Columns left out. */
  ignore?: string[];
  /** Empty cells: omit (default) or null (sent as null: removes the trait). */
  empty?: 'omit' | 'null';
  /** The separator of list cells in CSV (default `;`). */
  listSeparator?: string;
  /**
   * Numbers in typed columns are written with a decimal comma (`1.234,50` is 1234.5); false: with a
   * decimal point (`1.234` is 1.234). Unset, a cell only one of them reads fails its row.
   */
  decimalComma?: boolean;
  /** Dates that are not ISO 8601 are written in this order: `DD.MM.YYYY`, `MM/DD/YYYY`, `DD.MM.YYYY HH:mm`. */
  dateFormat?: string;
  /** Users: find the record by externalId (default) or email. */
  match?: 'externalId' | 'email';
  /** Users: add the row's accounts and organizations to the user's (default), or replace them. */
  links?: 'add' | 'replace';
  /**
   * Trait cells: auto (default: by Vitally's trait catalogue, else a text column's first values), vitally
   * (by the catalogue only) or as-read (typed only by `map`); or each trait column's type.
   */
  types?: 'auto' | 'vitally' | 'as-read' | Record<string, string>;
  /** A trait key Vitally does not know stops the run before any row is sent. */
  strictTraits?: boolean;
  /** Ask Vitally for its trait catalogue again instead of the copy kept a day. */
  refreshSchema?: boolean;
  /** The trait catalogue from a JSON file instead of Vitally. */
  customFields?: string;

  // The input's own settings (the reader's).
  /** CSV: the delimiter (default `,`; tab for .tsv). */
  delimiter?: string;
  /**
   * Text inputs (CSV, NDJSON, JSON): the encoding of bytes that are not UTF-8, a WHATWG label
   * (`windows-1252`, `latin1`, `utf-16le`, ...). UTF-8 and UTF-16 with a byte-order mark are read without it.
   */
  encoding?: string;
  /** A postgres:// input: the query whose rows are sent. */
  query?: string;
  /** A postgres:// input: a file holding the query. */
  queryFile?: string;
  /** A postgres:// input: a file holding the database password (else the URL's, else PGPASSWORD in `env`). */
  passwordFile?: string;

  // The transport.
  /** rest (default: one record a request) or analytics (batches of up to 100 messages). */
  via?: 'rest' | 'analytics';
  /** Messages per Analytics batch (default and maximum 100). */
  batchSize?: number;
  /** Events: one event name for every row. */
  event?: string;
  /** Events: the column holding the event name. */
  eventColumn?: string;
  /** Events: the column holding the time. */
  timestampColumn?: string;
  /** Users with `via: 'analytics'`: unlink accounts a user's row no longer names. */
  unlinkRemoved?: boolean;

  // Comparing with Vitally before sending (docs/compare.md).
  /**
   * What each row is compared with: state (the state store), vitally (a listing of the workspace, 100
   * records a request: unchanged rows are skipped, PUT for what Vitally has, POST for what it lacks) or
   * none. Default: chosen by the run.
   */
  compare?: 'state' | 'vitally' | 'none';
  /** With `via: 'analytics'`: look for the rows accepted in Vitally afterwards, and fail those that did not land. */
  verify?: boolean;
  /** With `verify`: seconds to look for them (default 120). */
  verifyTimeout?: number;

  // The state store.
  /** The state file (default `.vitally-sync/state.db` in `cwd`; none with `sandbox`), or false for none. */
  state?: string | false;
  /** Send every row even if unchanged, and refresh the store. */
  full?: boolean;
  /**
   * The name the state store keeps this input's records under (default: the file's path; with `sync`, the
   * sync's name), so dated or renamed exports are one source for `deleteMissing`. A stream or a
   * postgres:// input needs one for `deleteMissing`.
   */
  scope?: string;
  /** Delete the records synced earlier from this input that are no longer in it. */
  deleteMissing?: boolean;
  /** With deleteMissing: above this many deletions nothing is deleted (default 100). */
  maxDeletes?: number;

  // Pacing and retries.
  /** Requests in flight at most (default 32): a ceiling; the pacer keeps as many as rate x latency needs. */
  concurrency?: number;
  /** Requests a minute at most (default 1000). */
  rate?: number;
  /** Retries of a request after 429, 5xx, resets and timeouts (default 5). */
  maxRetries?: number;
  /** Milliseconds allowed for an answer (default 30000). */
  timeout?: number;
  /** Milliseconds allowed to connect (default 10000). */
  connectTimeout?: number;

  // Outputs.
  /** Send nothing; each result carries the requests a real run would send. */
  dryRun?: boolean;
  /** A file to write every failed row to, as NDJSON. */
  rejects?: string;
  /** A file to write every request and answer to, as NDJSON, secrets redacted. */
  logRequests?: string;

  // What only a caller has.
  /**
   * Stops the run as Ctrl-C stops the CLI: no new row is read, nothing more is retried, the answers in
   * flight get up to 5 s. The rows not sent come out `skipped` / `interrupted`, and the summary says
   * `interrupted: true`.
   */
  signal?: AbortSignal;
  /**
   * The environment the settings are read from, as the CLI reads its own: VITALLY_API_TOKEN, VITALLY_REGION,
   * HTTPS_PROXY, PGPASSWORD, ... Default: none (pass `process.env` to read the process's).
   */
  env?: Record<string, string | undefined>;
  /** The folder relative paths are taken from (default `process.cwd()`). */
  cwd?: string;
  /** A config file (vitally-sync.config.json or .yaml) whose connection settings fill the options not given. */
  config?: string;
  /** The name of a sync in `config` to run: its settings, under these options. */
  sync?: string;
  /** A warning as it happens (a rate-limit header not believed); the summary's `warnings` lists them too. */
  onWarning?: (message: string) => void;
}

/**
 * One row's result: what `push --json` prints for it. A failed row also carries what was read (`record`,
 * or the `raw` text of a record that could not be read), and `inDoubt` when its request may have been
 * applied although nothing confirmed it (the next run checks before sending it again).
 */
export interface PushResult extends PublicResult {
  record?: Record<string, unknown>;
  raw?: string;
  inDoubt?: boolean;
}

/** A push under way. */
export interface PushRun extends AsyncIterable<PushResult> {
  /**
   * The summary, once the run has ended. It rejects with RunStopped when the run had to stop (a refused
   * token: `reason` is an AuthError; a server that kept failing: a ServerFailingError), and with a
   * ConfigError when the rejects file or the request log could not be written whole. Awaiting it without
   * iterating runs the push to its end, the results left unread.
   */
  readonly summary: Promise<Summary>;
}
