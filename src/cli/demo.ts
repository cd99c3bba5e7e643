/**
 * `vitally-sync demo [dir]`: write the example files the README and docs/ use (the package's fixtures/)
 * into `<dir>/fixtures/`, and print the commands to try them against a sandbox. So the quick start runs
 * from an installed copy (`npm install -g`, `npx`) as it does from a clone: every example that names
 * `fixtures/...` works from `<dir>`.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import type { CliIO } from './io.js';

/** The example files shipped with the package: fixtures/ beside src/ (or dist/). */
export const EXAMPLES_DIR = fileURLToPath(new URL('../../fixtures/', import.meta.url));

/** Tried one by one, each with an in-process sandbox (nothing to set up). */
export const DEMO_COMMANDS = [
  'vitally-sync push fixtures/accounts.csv --object account --sandbox',
  'vitally-sync push fixtures/accounts.csv --object account --sandbox --dry-run    # the requests it would send',
  'vitally-sync push fixtures/accounts.parquet --object account --sandbox',
  'vitally-sync push fixtures/accounts-windows.csv --object account --sandbox --encoding windows-1252 --decimal-comma --date-format DD.MM.YYYY    # an Excel export',
  'vitally-sync push fixtures/events.csv --object event --event-column event_name --timestamp-column ts --map user_id=userId --map account_id=accountId --sandbox',
  'vitally-sync init fixtures/export-accounts.csv --object account --name accounts --sandbox --custom-fields fixtures/custom-fields.json',
  'vitally-sync run accounts --types vitally --sandbox --custom-fields fixtures/custom-fields.json',
];

/** Against a sandbox server, where records stay between runs (users and notes need their accounts). */
export const SERVER_COMMANDS = [
  'vitally-sync sandbox --port 4010          # in another terminal: prints its URL and tokens',
  'export VITALLY_BASE_URL=http://127.0.0.1:4010 VITALLY_API_TOKEN=<printed> VITALLY_ANALYTICS_TOKEN=<printed>',
  'vitally-sync push fixtures/accounts.csv --object account',
  'vitally-sync push fixtures/users.csv --object user         # accountExternalId resolved',
  'vitally-sync push fixtures/notes.csv --object note',
  'vitally-sync push fixtures/accounts.csv --object account   # again: 4 skipped, 0 requests',
];

export interface DemoFlags {
  force?: boolean;
}

export async function demoCommand(dir: string | undefined, flags: DemoFlags, io: CliIO, cwd = process.cwd()): Promise<number> {
  const target = resolve(cwd, dir ?? 'vitally-sync-demo');
  const into = join(target, 'fixtures');
  const files = readdirSync(EXAMPLES_DIR).sort();
  const existing = files.filter((f) => existsSync(join(into, f)));
  if (existing.length > 0 && !flags.force) {
    throw new ConfigError(`${into} already holds ${existing.join(', ')}: add --force to write over them, or name another folder`);
  }
  mkdirSync(into, { recursive: true });
  for (const f of files) copyFileSync(join(EXAMPLES_DIR, f), join(into, f));
  const shown = relative(cwd, target) || '.';
  const cd = shown === '.' ? [] : [`cd ${/\s/.test(shown) ? JSON.stringify(shown) : shown}`];
  io.stdout.write(
    [
      `Wrote ${files.length} example files to ${join(shown, 'fixtures')}: ${files.join(', ')}.`,
      '',
      'Try them against an in-process sandbox (no Vitally account needed; its records vanish after each run):',
      '',
      ...[...cd, ...DEMO_COMMANDS].map((c) => `  ${c}`),
      '',
      'Or against a sandbox server, where records stay between runs:',
      '',
      ...SERVER_COMMANDS.map((c) => `  ${c}`),
      '',
      'Then your own files: README.md and docs/ in the package, or vitally-sync push --help.',
      '',
    ].join('\n'),
  );
  return 0;
}
