/**
 * Typed errors. Every failure the tool reports is one of these, carrying a stable `code` and a message a
 * user can act on. A bare Error reaching the CLI is a bug (exit 70).
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_MISSING'
  | 'INPUT_NOT_FOUND'
  | 'INPUT_UNREADABLE'
  | 'INPUT_EMPTY'
  | 'CSV_MALFORMED'
  | 'NDJSON_MALFORMED'
  | 'NDJSON_NOT_OBJECT'
  | 'ROW_INVALID'
  | 'ROW_DUPLICATE'
  | 'ROW_UNRESOLVED'
  | 'API_ERROR'
  | 'API_NOT_FOUND'
  | 'API_AUTH'
  | 'API_RATE_LIMITED'
  | 'API_UNAVAILABLE'
  | 'API_UNCONFIRMED'
  | 'API_TOO_LARGE'
  | 'API_REDIRECT'
  | 'API_FAILING'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'STATE_ERROR'
  | 'INTERRUPTED';

export class VitallySyncError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /**
   * The request may have been applied although no answer confirmed it (a 2xx whose body does not
   * confirm it, an answer too large to read): its row stays in doubt. Timeouts, lost connections and
   * 5xx answers are in doubt too, by their kind.
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
}

/** Bad flags, settings or environment: stops the run before any request (exit 2). */
export class ConfigError extends VitallySyncError {
  constructor(message: string, code: ErrorCode = 'CONFIG_INVALID') {
    super(code, message);
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
      retryable: !opts.code && (status === 429 || status === 500 || status === 502 || status === 503 || status === 504),
      maybeApplied: opts.maybeApplied ?? false,
    });
    this.status = status;
    this.headers = headers;
    this.body = body;
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

/** 401/403: the run stops at once; no point sending the other rows with a bad token. */
export class AuthError extends VitallySyncError {
  readonly status: number;
  constructor(status: number, message: string) {
    super('API_AUTH', message);
    this.status = status;
  }
}

/** Connection reset, refused, DNS, or a timeout: no HTTP answer at all. Retried. */
export class NetworkError extends VitallySyncError {
  constructor(message: string, code: 'NETWORK' | 'TIMEOUT' = 'NETWORK', cause?: unknown) {
    super(code, message, { retryable: true, cause });
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
}

/** The request may have been applied: no answer at all, a 5xx, or an answer that confirms nothing. */
export function mayHaveApplied(err: unknown): boolean {
  if (err instanceof VitallySyncError && err.maybeApplied) return true;
  return err instanceof NetworkError || (err instanceof ApiError && err.status >= 500);
}

/** Errors after which nothing more is sent in the run: a refused token, a wrong host, a failing server. */
export function stopsRun(err: unknown): err is VitallySyncError {
  return err instanceof AuthError || err instanceof ConfigError || err instanceof ServerFailingError;
}

export class StateError extends VitallySyncError {
  constructor(message: string, cause?: unknown) {
    super('STATE_ERROR', message, { cause });
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
 * Pull a human message out of an error body of unknown shape; never more than 500 characters. The body
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
  return s.length > 500 ? `${s.slice(0, 497)}...` : s;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
