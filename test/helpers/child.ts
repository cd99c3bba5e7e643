/**
 * The built CLI (bin/vitally-sync.js, which runs dist/: `npm test` builds it first) as a real child
 * process, for what only a process can show: locks between two runs, kill -9, signals, a file-size limit.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from './temp.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'vitally-sync.js');

export interface Child {
  pid: number;
  /** The exit code (null when killed by a signal). */
  code: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  kill: (signal: NodeJS.Signals) => void;
  /** Resolves once `test` holds for the output so far; rejects if the process exits first. */
  until: (test: (out: { stdout: string; stderr: string }) => boolean) => Promise<void>;
}

let workDir: string | undefined;

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
}

/**
 * Start the CLI with `args` and the environment added to this process's. `shell` runs it through
 * `bash -c` after that command (e.g. `ulimit -f 256`), with the CLI exec'd in its place.
 */
export function startCli(args: string[], env: Record<string, string>, opts: { shell?: string } = {}): Child {
  // A folder of its own as the working directory: a run's default state store (.vitally-sync/) lands
  // there, not in the project, and goes with the test file's other temporary folders.
  const cwd = (workDir ??= makeTempDir('child'));
  const child = opts.shell
    ? spawn('bash', ['-c', `${opts.shell}; exec "$0" "$@"`, process.execPath, BIN, ...args], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: Array<{ test: (o: { stdout: string; stderr: string }) => boolean; resolve: () => void }> = [];
  const check = () => {
    for (let i = waiting.length - 1; i >= 0; i--) {
      if (waiting[i]!.test({ stdout, stderr })) waiting.splice(i, 1)[0]!.resolve();
    }
  };
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    check();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    check();
  });
  const code = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return {
    pid: child.pid!,
    code,
    stdout: () => stdout,
    stderr: () => stderr,
    kill: (s) => child.kill(s),
    until: (test) =>
      new Promise<void>((resolve, reject) => {
        if (test({ stdout, stderr })) return resolve();
        waiting.push({ test, resolve });
        void code.then((c) => reject(new Error(`exited (${c}) first; stderr: ${stderr}`)));
      }),
  };
}

/** The NDJSON lines of an output (--json), parsed. */
export const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);
