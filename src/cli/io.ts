/** The CLI's window on the world, injectable so tests run commands in-process. */
import type { Readable } from 'node:stream';

export interface Out {
  /** Like a Writable's write: false means "wait for drain before writing more". */
  write(text: string): unknown;
  isTTY?: boolean;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface CliIO {
  stdout: Out;
  stderr: Out;
  stdin: Readable;
  env: Record<string, string | undefined>;
  /** Install SIGINT/SIGTERM handlers (the real process only). */
  signals: boolean;
}

export function processIO(): CliIO {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, signals: true };
}

/** The documented exit codes. */
export const EXIT = {
  ok: 0,
  rowsFailed: 1,
  usage: 2,
  auth: 3,
  internal: 70,
  /** The server kept failing (the sender's breaker): a temporary failure, try again later (EX_TEMPFAIL). */
  serverFailing: 75,
  interrupted: 130,
} as const;
