/**
 * `vitally-sync doctor`: check the settings a sync would use (config file, token, region, subdomain,
 * host) with one cheap request to each API, and say exactly what to fix. This file holds the command and
 * its rendering; the checks live in doctor/ (diagnose.ts runs them).
 *
 * - REST: GET /resources/accounts?limit=1. Analytics (when a token is configured): POST
 *   /analytics/v1/batch with an empty batch, which creates nothing; 200 or 400 means the token was
 *   accepted, 401 that it was not.
 * - A refused token is diagnosed by trying the same value the other ways it could have been meant (the
 *   other API's form, the other token, the other region's host), because Vitally's 401 says nothing more.
 *   Only Vitally's own hosts (or the ones configured) are ever asked.
 *
 * Exit codes: 0 all is well (warnings allowed), 2 a configuration problem (missing or malformed setting,
 * unknown host, wrong region, nothing answering), 3 a token refused, 1 the service failed (5xx, timeout).
 */
import type { Command } from 'commander';
import type { Ora } from 'ora';
import type { Env } from '../config/connection.js';
import { intFlag } from '../config/numbers.js';
import type { Check, CheckStatus } from './doctor/check.js';
import type { DoctorFlags, RegionHosts } from './doctor/diagnose.js';
import { EXIT, type CliIO } from './io.js';
import { colorWanted } from './color.js';
import { guardIO, type GuardedIO } from './secret-io.js';

export function registerDoctorCommand(program: Command, io: CliIO, exit: (code: number) => void): Command {
  return program
    .command('doctor')
    .description('Check the token, region, subdomain and hosts with one cheap request per API, and say what to fix')
    .option('--config <file>', 'the config file (default: vitally-sync.config.json, .yaml or .yml in this folder)')
    .option('--no-config', 'ignore any config file')
    .option('--token-file <path>', 'read the REST API token from a file (default: VITALLY_API_TOKEN)')
    .option('--region <region>', 'us or eu (default: VITALLY_REGION or us)')
    .option('--subdomain <name>', 'your Vitally subdomain, required for US (default: VITALLY_SUBDOMAIN)')
    .option('--base-url <url>', 'override the REST host (default: VITALLY_BASE_URL)')
    .option('--analytics-token-file <path>', 'read the Analytics API token from a file (default: VITALLY_ANALYTICS_TOKEN)')
    .option('--analytics-base-url <url>', 'the Analytics API host (default: VITALLY_ANALYTICS_BASE_URL, or from region and subdomain)')
    .option('--timeout <ms>', 'time allowed for each answer (default 10000)')
    .option('--json', 'print the verdict as one JSON object')
    .addHelpText(
      'after',
      `
Examples:
  $ vitally-sync doctor
  $ VITALLY_REGION=eu vitally-sync doctor --json
  $ vitally-sync doctor --config ci/vitally-sync.config.yaml
  $ VITALLY_ANALYTICS_TOKEN=... vitally-sync doctor      # checks the Analytics API too

Nothing is created: REST gets GET /resources/accounts?limit=1, Analytics an empty batch.
Exit codes: 0 all is well, 2 a configuration problem (missing token, unknown subdomain, wrong region or
host), 3 a token refused, 1 Vitally failed to answer (5xx, timeout).`,
    )
    .action(async (opts: DoctorFlags) => exit(await doctorCommand(opts, io)));
}

export async function doctorCommand(flags: DoctorFlags, given: CliIO, opts: { hosts?: RegionHosts; cwd?: string } = {}): Promise<number> {
  const io = guardIO(given);
  const checks = await diagnose(flags, io, opts);
  const code = exitCodeOf(checks);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ ok: code === EXIT.ok, exitCode: code, checks })}\n`);
  } else {
    const warnings = checks.filter((c) => c.status === 'warn').length;
    const fails = checks.filter((c) => c.status === 'fail').length;
    io.stdout.write(
      `\n${
        fails === 0
          ? `All good${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''} above)` : ''}: vitally-sync can reach Vitally with these settings.`
          : `${fails} problem${fails > 1 ? 's' : ''}: do what the "fix:" line${fails > 1 ? 's say' : ' says'}, then run vitally-sync doctor again.`
      }\n`,
    );
  }
  return code;
}

export function exitCodeOf(checks: Check[]): number {
  const fails = checks.filter((c) => c.status === 'fail');
  if (fails.some((c) => c.problem === 'auth')) return EXIT.auth;
  if (fails.some((c) => c.problem === 'config')) return EXIT.usage;
  return fails.length > 0 ? EXIT.rowsFailed : EXIT.ok;
}

/** Run every check; prints each line as it is decided (human mode) and returns them all. */
export async function diagnose(flags: DoctorFlags, io: GuardedIO, opts: { hosts?: RegionHosts; cwd?: string } = {}): Promise<Check[]> {
  const env = io.env;
  const color = !flags.json && colorWanted(io.stdout, env);
  const print = (text: string) => {
    if (!flags.json) io.stdout.write(text);
  };
  const timeoutMs = intFlag(flags.timeout, '--timeout', 10_000, 100, 120_000);
  const spinner = await Spinner.create(io, Boolean(flags.json), env);
  // The checks (and the HTTP client under them) load when doctor runs, not when the CLI starts.
  const { runChecks } = await import('./doctor/diagnose.js');
  const checks = await runChecks(
    flags,
    env,
    { ...opts, timeoutMs },
    {
      check: (c) => print(formatCheck(c, color)),
      fix: (c) => print(fixLine(c.fix!)),
      during: (text, work) => spinner.during(text, work),
      secret: (token) => io.secrets.add(token),
    },
  );
  spinner.stop();
  return checks;
}

/**
 * An ora spinner on stderr while a request is out: only on a terminal that reports its width (ora loops
 * on a 0-column pseudo-terminal, as `docker run -t` can give), never with --json.
 */
class Spinner {
  private constructor(private readonly ora: Ora | null) {}

  /** ora is loaded only when a spinner is shown: it is a large module for a one-line animation. */
  static async create(io: CliIO, json: boolean, env: Env): Promise<Spinner> {
    const columns = (io.stderr as { columns?: number }).columns ?? 0;
    if (json || io.stderr.isTTY !== true || columns <= 0 || env.TERM === 'dumb') return new Spinner(null);
    const { default: ora } = await import('ora');
    return new Spinner(
      ora({ stream: io.stderr as unknown as NodeJS.WritableStream, isEnabled: true, discardStdin: false, color: colorWanted(io.stderr, env) ? 'cyan' : false }),
    );
  }

  async during<T>(text: string, work: () => Promise<T>): Promise<T> {
    this.ora?.start(text);
    try {
      return await work();
    } finally {
      this.ora?.stop();
    }
  }

  stop(): void {
    this.ora?.stop();
  }
}

const LABEL: Record<CheckStatus, [string, string]> = {
  ok: ['ok  ', '\x1b[32m'],
  warn: ['warn', '\x1b[33m'],
  fail: ['FAIL', '\x1b[31m'],
  skip: ['-   ', '\x1b[2m'],
};

export function formatCheck(c: Check, color: boolean): string {
  const [label, code] = LABEL[c.status];
  const tag = color ? `${code}${label}\x1b[0m` : label;
  return `${tag}  ${c.title.padEnd(14)} ${c.detail}\n${c.fix && c.status !== 'ok' ? fixLine(c.fix) : ''}`;
}

const fixLine = (fix: string) => `      fix: ${fix}\n`;
