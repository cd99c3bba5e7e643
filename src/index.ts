/**
 * vitally-sync as a library: `import { push, createSandbox } from 'vitally-sync'`.
 *
 * - `push(options)` runs one push as the CLI's `push` does, and hands back its results as an async
 *   iterable and its summary as a promise; it prints nothing and never exits the process.
 * - `createSandbox(options)` starts the local Vitally-compatible server the tests and the CLI's
 *   `--sandbox` use, to try a push (or test code that calls push) with no Vitally account.
 * - The errors are the CLI's typed errors, each with a stable `code`.
 *
 * This file is the package's one entry point (package.json "exports"); docs/api.md is its guide.
 */
export { push } from './api/push.js';
export type { PushOptions, PushResult, PushRun } from './api/options.js';
export type { PublicRequest } from './api/result.js';
export { createSandbox } from './sandbox/index.js';
export type { Sandbox, SandboxOptions, RecordedRequest, SandboxStats, CustomField } from './sandbox/index.js';
export {
  VitallySyncError,
  ConfigError,
  InputError,
  StateError,
  RowError,
  ApiError,
  UnconfirmedError,
  AuthError,
  NetworkError,
  ServerFailingError,
  RunStopped,
  type ErrorCode,
} from './errors.js';
export type { RowAction, RowStatus, Summary } from './types.js';
export { VERSION } from './version.js';
