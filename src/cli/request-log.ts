/**
 * `--log-requests <file>`: every request and response of a run as one NDJSON line, the live debugger of
 * the tool. Each line is redacted whole (the token, its base64 forms and a "Basic ..." value never land
 * in the file), and the Authorization header is written as "Basic ***".
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
  request: { headers: Record<string, string>; body: unknown };
  response: { headers: Record<string, string>; body: unknown } | null;
  error: string | null;
}

/** JSON bodies are written as JSON (so `jq` reads into them); anything else as text. */
function bodyOf(text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
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
    request: { headers, body: bodyOf(e.requestBody) },
    response: e.responseHeaders || e.responseBody !== undefined ? { headers: e.responseHeaders ?? {}, body: bodyOf(e.responseBody) } : null,
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
