/** The CLI's window on the world, injectable so tests run commands in-process. */
import type { Readable } from 'node:stream';
import { ServerFailingError, StateError } from '../errors.js';

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
  /** EX_UNAVAILABLE: the server kept failing (the sender's breaker); the run stopped. */
  unavailable: 69,
  internal: 70,
  /**
   * EX_TEMPFAIL, try again later: the state store is held by another run (nothing was sent) or locked by
   * another program. Its own code, so a scheduler can tell an overlapping run from a failing server.
   */
  tempfail: 75,
  interrupted: 130,
} as const;

/**
 * The exit code of a failure that should go away by itself, or undefined: a server that kept failing
 * (69), a state store in use by another run or program (75).
 */
export function temporaryExit(err: unknown): number | undefined {
  if (err instanceof ServerFailingError) return EXIT.unavailable;
  if (err instanceof StateError && (err.code === 'STATE_LOCKED' || err.code === 'STATE_BUSY')) return EXIT.tempfail;
  return undefined;
}
