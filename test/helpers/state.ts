/** A sandbox for a test file whose tests each use a state file of their own. */
import { join } from 'node:path';
import { beforeEach } from 'vitest';
import { useSandbox, type SandboxContext } from './cli.js';

export interface StateContext extends SandboxContext {
  /** A state file path no other test of the file uses (not created). */
  state: string;
}

/**
 * useSandbox (with a rate limit no test reaches) plus, before each test, a new state file path under
 * the test folder. `assign` receives the context before each test.
 */
export function useStateSandbox(prefix: string, assign: (ctx: StateContext) => void): void {
  let ctx: SandboxContext | undefined;
  let n = 0;
  useSandbox((c) => (ctx = c), { rateLimit: { limit: 100_000, windowMs: 60_000 } });
  beforeEach(() => assign({ ...ctx!, state: join(ctx!.dir, `${prefix}-${++n}.db`) }));
}
