/**
 * Typed errors. Every failure the tool reports is one of these, carrying a stable `code` and a message a
 * user can act on. A bare Error reaching the CLI is a bug (exit 70).
 *
 * The error policy lives on the classes, each question answered once:
 * - `retryable`: sending the same request again may succeed (429, 500, 502, 503, 504, no answer);
 * - `fatal`: the run must stop at once, since every later request would fail the same way (a refused
 *   token, a host that cannot be reached or resolved, a setting found wrong mid-run, a failing server);
 * - `mayHaveBeenApplied`: the request may have taken effect although no answer confirmed it (no answer
 *   at all, a 5xx, an answer that confirms nothing), so its row stays in doubt and a create is looked
 *   up before it is sent again.
 * `isRetryable`, `stopsRun` and `mayHaveApplied` below ask them of any thrown value.
 */

import type { Summary } from './types.js';
import { visible } from './text.js';

export type ErrorCode =
  | 'CONFIG_INVALID'
  /** A setting's value, or the way it goes with the others: CONFIG_INVALID_CONCURRENCY (config/settings.ts). */
  | `CONFIG_INVALID_${Uppercase<string>}`
  | 'CONFIG_MISSING'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_EMPTY'
  | 'INPUT_COLUMNS'
  | 'CSV_MALFORMED'
  | 'NDJSON_MALFORMED'
  | 'NDJSON_NOT_OBJECT'
  | 'JSON_MALFORMED'
  | 'ROW_INVALID'
  | 'ROW_DUPLICATE'
  | 'ROW_UNRESOLVED'
  | 'API_ERROR'
  | 'API_NOT_FOUND'
  | 'API_AUTH'
  | 'API_FORBIDDEN'
  | 'API_RATE_LIMITED'
  | 'API_UNAVAILABLE'
  | 'API_UNCONFIRMED'
  | 'API_TOO_LARGE'
  | 'API_REDIRECT'
  | 'API_FAILING'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'STATE_ERROR'
  | 'STATE_LOCKED'
  | 'STATE_BUSY'
  | 'STATE_FAILED'
  | 'INTERRUPTED';

export class VitallySyncError extends Error {
  readonly code: ErrorCode;
  /** Sending the same request again may succeed. */
  readonly retryable: boolean;
  /**
   * Told by whoever made the error: the request may have been applied although no answer confirmed it
   * (a 2xx whose body does not confirm it, an answer too large to read). `mayHaveBeenApplied` adds the
   * kinds that are in doubt by nature (no answer, a 5xx).
   */
  readonly maybeApplied: boolean;
  /** How many times the request was sent before this error was final (set by the sender). */
  attempts?: number;
  constructor(code: ErrorCode, message: string, opts: { retryable?: boolean; cause?: unknown; maybeApplied?: boolean } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = opts.retryable ?? false;
    this.maybeApplied = opts.maybeApplied ?? false;
  }
  /** The run must stop at once: this failure is not one row's. */
  get fatal(): boolean {
    return false;
  }
  /** The request may have been applied although nothing confirmed it. */
  get mayHaveBeenApplied(): boolean {
    return this.maybeApplied;
  }
}

/** Bad flags, settings or environment: stops the run before any request (exit 2). */
export class ConfigError extends VitallySyncError {
  constructor(message: string, code: ErrorCode = 'CONFIG_INVALID') {
    super(code, message);
  }
  override get fatal(): boolean {
    return true;
  }
}

/** The input as a whole cannot be read (missing file, empty file): exit 2. */
export class InputError extends VitallySyncError {
  constructor(code: ErrorCode, message: string) {
    super(code, message);
  }
}

/** One row cannot be sent: malformed, invalid, duplicate, unresolved. The run goes on. */
export class RowError extends VitallySyncError {
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, field?: string) {
    super(code, message);
    this.field = field;
  }
}

/**
 * An answer that is not a success: a non-2xx status (or the sandbox's), and the answers the transport
 * refuses whatever their status (too large, a redirect, a 2xx that does not confirm the request). The
 * body is the answer's text with every credential already scrubbed out (the transport does it).
 */
export class ApiError extends VitallySyncError {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  constructor(
    status: number,
    headers: Record<string, string>,
    body: string,
    method: string,
    path: string,
    opts: { code?: ErrorCode; message?: string; maybeApplied?: boolean } = {},
  ) {
    const detail = apiErrorText(body);
    super(opts.code ?? codeForStatus(status), opts.message ?? `${method} ${path} answered ${status}${detail ? `: ${detail}` : ''}`, {
      // The answers the transport refuses whatever their status (too large, a redirect, unconfirmed) carry
      // a code of their own and are never retried.
      retryable: !opts.code && RETRY_STATUSES.has(status),
      maybeApplied: opts.maybeApplied ?? false,
    });
    this.status = status;
    this.headers = headers;
    this.body = body;
  }
  /** A 5xx may come after the server acted (a gateway timing out on a slow write). */
  override get mayHaveBeenApplied(): boolean {
    return this.maybeApplied || this.status >= 500;
  }
  /** Vitally's own words from the body, whatever its shape ({message}, {error}, {errors}, text). */
  get detail(): string {
    return apiErrorText(this.body);
  }
}

/**
 * A 2xx answer whose body does not confirm the request (HTML, empty, not the record sent): the row
 * fails, in doubt, and is never recorded as sent. Not retried.
 */
export class UnconfirmedError extends ApiError {
  constructor(status: number, headers: Record<string, string>, body: string, method: string, path: string, why: string) {
    const excerpt = apiErrorText(body);
    super(status, headers, body, method, path, {
      code: 'API_UNCONFIRMED',
      message: `${method} ${path} answered ${status}, but ${why}${excerpt ? ` (${excerpt.length > 120 ? `${excerpt.slice(0, 117)}...` : excerpt})` : ''}: not taken as done; the row stays in doubt for the next run`,
      maybeApplied: true,
    });
  }
}

/**
 * A 403 on the path of a feature a workspace may lack (organizations, custom objects): workspaces without
 * it answer 403 there while the token works everywhere else, so it is not taken for a bad token by
 * itself. Not retried, and it stops nothing: whoever sent the request finds out whether the token is
 * refused elsewhere too (then it is an AuthError after all), or the feature is off (the rows that need
 * it fail, the others go on).
 */
export class ForbiddenError extends ApiError {
  /** The feature the path needs, as messages name it: "organizations". */
  readonly feature: string;
  readonly method: string;
  readonly path: string;
  /** What the 403 most likely means: "organizations are not enabled for this workspace". */
  readonly why: string;
  constructor(feature: string, headers: Record<string, string>, body: string, method: string, path: string, why: string) {
    const said = apiErrorText(body);
    const also = said && !why.toLowerCase().includes(said.toLowerCase().replace(/\.$/, '')) ? ` (Vitally: ${said})` : '';
    super(403, headers, body, method, path, { code: 'API_FORBIDDEN', message: `${method} ${path} answered 403: ${why}${also}` });
    this.feature = feature;
    this.method = method;
    this.path = path;
    this.why = why;
  }
}

/** 401, or a 403 that is not about a feature: the run stops at once; no point sending the other rows with a bad token. */
export class AuthError extends VitallySyncError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('API_AUTH', message);
    this.status = status;
  }
  override get fatal(): boolean {
    return true;
  }
}

/** Connection reset, refused, DNS, or a timeout: no HTTP answer at all. Retried. */
export class NetworkError extends VitallySyncError {
  constructor(message: string, code: 'NETWORK' | 'TIMEOUT' = 'NETWORK', cause?: unknown) {
    super(code, message, { retryable: true, cause });
  }
  /** The request may have reached the server before the connection failed or the answer was late. */
  override get mayHaveBeenApplied(): boolean {
    return true;
  }
}

/**
 * The server kept failing (429, 5xx, no answer, answers that confirm nothing) across rows, with no
 * success in between: the run stops (exit 75) rather than spend every row's retries the same way.
 */
export class ServerFailingError extends VitallySyncError {
  constructor(message: string, opts: { maybeApplied?: boolean } = {}) {
    super('API_FAILING', message, opts);
  }
  override get fatal(): boolean {
    return true;
  }
}

/** The HTTP statuses worth sending a request again for: rate limited, or a server error said to pass. */
const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

/** Sending the same request again may succeed. */
export function isRetryable(err: unknown): boolean {
  return err instanceof VitallySyncError && err.retryable;
}

/** The request may have been applied: no answer at all, a 5xx, or an answer that confirms nothing. */
export function mayHaveApplied(err: unknown): boolean {
  return err instanceof VitallySyncError && err.mayHaveBeenApplied;
}

/** Errors after which nothing more is sent in the run: a refused token, a wrong host, a failing server. */
export function stopsRun(err: unknown): err is VitallySyncError {
  return err instanceof VitallySyncError && err.fatal;
}

/**
 * Thrown out of a run that must stop at once (a refused token, a server that kept failing, a setting found
 * wrong mid-run): `reason` is why, `summary` says how far it got.
 */
export class RunStopped extends Error {
  constructor(
    readonly reason: VitallySyncError,
    readonly summary: Summary,
  ) {
    super(reason.message);
    this.name = 'RunStopped';
  }
}

/**
 * The state store: STATE_ERROR an unusable file (exit 2, found before anything is sent); STATE_LOCKED
 * another run holds it and STATE_BUSY another program does (exit 75, try again later); STATE_FAILED a
 * write failed mid-run (a full disk: exit 2). Built in src/state/.
 */
export class StateError extends VitallySyncError {
  constructor(message: string, cause?: unknown, code: 'STATE_ERROR' | 'STATE_LOCKED' | 'STATE_BUSY' | 'STATE_FAILED' = 'STATE_ERROR') {
    super(code, message, { cause });
  }
}

function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'API_NOT_FOUND';
  if (status === 401 || status === 403) return 'API_AUTH';
  if (status === 429) return 'API_RATE_LIMITED';
  if (status >= 500) return 'API_UNAVAILABLE';
  return 'API_ERROR';
}

/**
 * Pull a human message out of an error body of unknown shape, its control characters made visible
 * (text.ts); never more than 500 characters. The body
 * must have been scrubbed of credentials first (the transport does it), so that the cut cannot leave
 * the head of one behind.
 */
export function apiErrorText(body: string): string {
  const text = body.trim();
  if (!text) return '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const o = parsed as Record<string, unknown>;
      for (const k of ['message', 'error', 'errors', 'detail']) {
        const v = o[k];
        if (typeof v === 'string' && v) return clip(v);
        if (v !== undefined && v !== null) return clip(JSON.stringify(v));
      }
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return clip(text.replace(/\s+/g, ' '));
}

function clip(s: string): string {
  const v = visible(s);
  return v.length > 500 ? `${v.slice(0, 497)}...` : v;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
