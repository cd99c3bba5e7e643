/** What the fault tests share: their sandbox window, flags, input and the check that every row landed once. */
import { afterAll, beforeAll, expect } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { tempDir, writeTemp } from './cli.js';

/** A window wide enough not to matter, unless the test is about the rate limit. */
export const WIDE = { limit: 100_000, windowMs: 60_000 };

export const FAST = ['--json', '--retry-base-ms', '1', '--rate', '100000'];

/** A CSV of n accounts acct-1 .. acct-n, written in `dir`. */
export function accountsCsv(dir: string, name: string, n: number): string {
  const lines = ['externalId,name', ...Array.from({ length: n }, (_, i) => `acct-${i + 1},Account ${i + 1}`)];
  return writeTemp(dir, name, lines.join('\n') + '\n');
}

/** The key a recorded write was about: the POST body's externalId, or the last path segment. */
export function keyOf(r: { path: string; body: string }): string {
  if (r.body) {
    const b = JSON.parse(r.body) as { externalId?: string };
    if (b.externalId) return b.externalId;
  }
  return decodeURIComponent(r.path.split('?')[0]!.split('/').pop()!);
}

/** Writes the sandbox applied (2xx, answered or not), counted per key. */
export function appliedWrites(sb: Sandbox): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of sb.requests) {
    if (r.method === 'GET' || r.status < 200 || r.status > 299 || r.fault === 'drop' || r.fault === 'fail') continue;
    m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + 1);
  }
  return m;
}

/** acct-1 .. acct-n are stored with their names, each written exactly once. */
export function expectEveryRowOnce(sb: Sandbox, n: number): void {
  const accounts = sb.store.all('accounts');
  expect(accounts).toHaveLength(n);
  for (let i = 1; i <= n; i++) expect(sb.store.get('accounts', `acct-${i}`)).toMatchObject({ name: `Account ${i}` });
  const writes = appliedWrites(sb);
  expect(writes.size).toBe(n);
  expect([...writes.values()].every((c) => c === 1)).toBe(true);
}

/**
 * Sandboxes for a file of fault tests: each test starts its own (`start`, with a WIDE window unless it
 * names one), all closed once the file's tests are done (so tests may run concurrently); input files go
 * in a temporary folder (`dir()`).
 */
export function faultSandboxes(): { start(o: SandboxOptions): Promise<Sandbox>; accountsCsv(name: string, n: number): string; dir(): string } {
  let dir = '';
  const open: Sandbox[] = [];
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(async () => {
    await Promise.all(open.splice(0).map((sb) => sb.close()));
  });
  return {
    start: async (o) => {
      const sb = await createSandbox({ rateLimit: WIDE, ...o });
      open.push(sb);
      return sb;
    },
    accountsCsv: (name, n) => accountsCsv(dir, name, n),
    dir: () => dir,
  };
}
