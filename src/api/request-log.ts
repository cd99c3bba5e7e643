/**
 * `--log-requests <file>`: every request and response of a run as one NDJSON line, the live debugger of
 * the tool. Each line is redacted whole (the token, its base64 forms and a "Basic ..." value never land
 * in the file; answers come scrubbed by the transport), and the Authorization header is written as
 * "Basic ***". A body longer than LOG_BODY_CHARS is written cut, as text, with
 * `"cut": {"kept": <characters written>, "of": <characters in all>}`, so one huge answer cannot swell the
 * file (the transport reads at most a few MiB of an answer anyway).
 *
 *     {"time":"...","api":"rest","method":"PUT","url":"https://acme.rest.vitally.io/resources/accounts/acme",
 *      "attempt":1,"status":404,"ms":84,"request":{"headers":{...},"body":{...}},
 *      "response":{"headers":{...},"body":{...}},"error":null}
 *
 * The sender does not see the request headers; the ones written are those the transport always sends.
 */
import { ConfigError } from '../errors.js';
import type { Exchange } from '../vitally/sender.js';
import { NdjsonFile } from './ndjson-file.js';

export interface RequestLogLine {
  time: string;
  api: 'rest' | 'analytics';
  method: string;
  url: string;
  attempt: number;
  status: number | null;
  ms: number;
  request: LoggedBody & { headers: Record<string, string> };
  response: (LoggedBody & { headers: Record<string, string> }) | null;
  error: string | null;
}

/** The most characters of one body written to the log. */
export const LOG_BODY_CHARS = 256 * 1024;

interface LoggedBody {
  body: unknown;
  /** Present when the body was cut: how much of it is written. */
  cut?: { kept: number; of: number };
}

/** JSON bodies are written as JSON (so `jq` reads into them); anything else as text; a long one cut. */
function bodyOf(text: string | undefined): LoggedBody {
  if (text === undefined || text === '') return { body: null };
  if (text.length > LOG_BODY_CHARS) return { body: text.slice(0, LOG_BODY_CHARS), cut: { kept: LOG_BODY_CHARS, of: text.length } };
  try {
    return { body: JSON.parse(text) };
  } catch {
    return { body: text };
  }
}

/** One exchange as a log line (pure; redaction is applied to the serialised line). */
export function logLine(e: Exchange, api: 'rest' | 'analytics', now = Date.now()): RequestLogLine {
  const headers: Record<string, string> = {
    authorization: 'Basic ***',
    accept: 'application/json',
    'user-agent': 'vitally-sync',
    ...(e.requestBody !== undefined ? { 'content-type': 'application/json' } : {}),
  };
  return {
    time: new Date(now - e.ms).toISOString(),
    api,
    method: e.method,
    url: e.url,
    attempt: e.attempt,
    status: e.status,
    ms: e.ms,
    request: { headers, ...bodyOf(e.requestBody) },
    response: e.responseHeaders || e.responseBody !== undefined ? { headers: e.responseHeaders ?? {}, ...bodyOf(e.responseBody) } : null,
    error: e.error ?? null,
  };
}

/** The --log-requests file. A write error makes close() reject ("--log-requests <path>: ENOSPC ..."). */
export class RequestLog {
  private readonly file: NdjsonFile;
  /** Lines written. */
  count = 0;

  constructor(
    readonly path: string,
    private readonly redact: (text: string) => string,
  ) {
    this.file = new NdjsonFile('--log-requests', path);
  }

  /** Resolves once the file is open; a file that cannot be written is a configuration error (exit 2). */
  async opened(): Promise<void> {
    try {
      await this.file.opened();
    } catch (err) {
      throw new ConfigError(`--log-requests ${this.path}: cannot be written (${(err as { code?: string }).code ?? 'error'})`);
    }
  }

  /** The listener to hand a Sender (`api` says which API that sender speaks to). */
  listener(api: 'rest' | 'analytics' = 'rest'): (e: Exchange) => void {
    return (e) => this.record(e, api);
  }

  record(e: Exchange, api: 'rest' | 'analytics' = 'rest'): void {
    if (!this.file.writable) return;
    this.count++;
    this.file.writeLine(this.redact(JSON.stringify(logLine(e, api))));
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
