/** Run the CLI in-process with captured output, against a real sandbox over HTTP. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import type { CliIO } from '../../src/cli/io.js';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { makeTempDir } from './temp.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as NDJSON (with --json). */
  json: Array<Record<string, any>>;
}

export async function runCli(argv: string[], opts: { env?: Record<string, string | undefined>; stdin?: string | Readable } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: typeof opts.stdin === 'string' || opts.stdin === undefined ? Readable.from(opts.stdin !== undefined ? [Buffer.from(opts.stdin)] : []) : opts.stdin,
    env: opts.env ?? {},
    signals: false,
  };
  const args = [...argv];
  if (argv[0] === 'push') {
    // Tests that do not name a state store run without one, so runs never depend on each other through a
    // file in the working directory.
    if (!argv.some((a) => a === '--state' || a === '--no-state')) args.push('--no-state');
    // Vitally's own rate (1000 a minute) would make every request wait 60 ms: the tests' sandboxes allow
    // far more (FAST_RATE), and so does the run, unless the test is about the rate.
    if (!argv.includes('--rate')) args.push('--rate', String(FAST_RATE.limit));
  }
  const code = await main(args, io);
  const json = stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  return { code, stdout, stderr, json };
}

/** The rate limit of the tests' sandboxes: wide enough never to slow a run down. */
export const FAST_RATE = { limit: 100_000, windowMs: 60_000 } as const;

/** Environment pointing the CLI at a sandbox. */
export function sandboxEnv(sb: Sandbox): Record<string, string> {
  return { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token };
}

/** A temporary folder, removed after the test file (helpers/temp.ts). */
export function tempDir(): string {
  return makeTempDir('test');
}

export function writeTemp(dir: string, name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** Create the fixtures' records of these object types (`fixtures/<type>s.csv`), in order: what the rows of a test refer to. */
export async function pushFixtures(env: Record<string, string>, objects: string[]): Promise<void> {
  for (const object of objects) {
    const r = await runCli(['push', `fixtures/${object}s.csv`, '--object', object], { env });
    if (r.code !== 0) throw new Error(`pushing fixtures/${object}s.csv failed (exit ${r.code}): ${r.stderr}`);
  }
}

/** What a --json run said on stderr: every line is one JSON object ({"error": ...}, {"warning": ...}, {"notice": ...}). */
export const stderrJson = (r: CliRun): Array<Record<string, any>> =>
  r.stderr
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
/** The error a --json run ended with: { code, message, exitCode }. */
export const errorOf = (r: CliRun) => stderrJson(r).find((o) => 'error' in o)?.error;
/** The warnings a --json run gave on stderr, as they came. */
export const warningsOf = (r: CliRun): string[] => stderrJson(r).flatMap((o) => ('warning' in o ? [o.warning.message] : []));

/** Results only (no summary line). */
export const rows = (r: CliRun) => r.json.filter((j) => !('summary' in j));
export const summaryOf = (r: CliRun) => r.json.find((j) => 'summary' in j)?.summary;

export interface SandboxContext {
  sb: Sandbox;
  /** A temporary folder for the test files of this file. */
  dir: string;
  /** Environment pointing the CLI at the sandbox (REST and Analytics tokens). */
  env: Record<string, string>;
}

/**
 * One sandbox for the test file (or for the describe block it is called in): started before its tests,
 * reset before each, closed after. `assign` receives the context once it is ready (tests keep plain
 * variables: `let sb, dir, env`). Its rate limit is FAST_RATE unless `opts` names one; `opts.profile`
 * picks the Vitally it plays (docs/sandbox.md).
 */
export function useSandbox(assign: (ctx: SandboxContext) => void, opts?: SandboxOptions): void {
  let sb: Sandbox | undefined;
  beforeAll(async () => {
    sb = await createSandbox({ rateLimit: FAST_RATE, ...opts });
    assign({ sb, dir: tempDir(), env: { ...sandboxEnv(sb), VITALLY_ANALYTICS_TOKEN: sb.analyticsToken } });
  });
  afterAll(() => sb?.close());
  beforeEach(() => sb?.reset());
}

/** Both Vitallys the sandbox plays: the end-to-end scenarios run against each (describe.each). */
export const PROFILES = ['docs', 'live'] as const;

/** The requests of a run's rows: without the GET of the trait catalogue a run makes first. */
export const rowRequests = (sb: Sandbox) => sb.requests.filter((q) => !q.path.startsWith('/resources/customFields'));
