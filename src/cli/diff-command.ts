/**
 * The declaration of `diff`: push's options (so the two never drift apart) but those about sending, plus
 * its examples. The command itself is diff.ts, loaded when it runs.
 */
import type { Command } from 'commander';
import { INPUTS } from './help.js';
import type { CliIO } from './io.js';

/** push's options that are about sending, which diff does not do. */
const SENDING = new Set([
  '--dry-run',
  '--via',
  '--batch-size',
  '--unlink-removed',
  '--compare',
  '--verify',
  '--verify-timeout',
  '--verify-interval-ms',
  '--full',
  '--rejects',
  '--event',
  '--event-column',
  '--timestamp-column',
]);

const DIFF_EXAMPLES = `
Examples:
  $ vitally-sync diff accounts.csv --object account              # what a push would change in Vitally
  $ vitally-sync diff accounts.csv --object account --json       # the same as NDJSON objects
  $ vitally-sync diff accounts.csv --object account --delete-missing   # and what it would delete
  $ vitally-sync diff users.csv --object user --links replace

It lists the workspace's records of the type (one request per 100) and sends nothing else.
Lines: + a record Vitally lacks, ~ one whose values differ (each field: what Vitally has -> what the row
sends), - one push --delete-missing would delete (synced from this file before, gone from it now),
! a row a push would fail. Exit codes: 0 Vitally matches the input, 1 it differs, 2 bad usage or
configuration, 3 authentication failed, 69 the server kept failing. See docs/compare.md.`;

export function registerDiffCommand(program: Command, io: CliIO, exit: (code: number) => void): Command {
  const push = program.commands.find((c) => c.name() === 'push');
  const diff = program
    .command('diff')
    .description('Show what a push of a file would change in the live workspace, sending nothing (exit 1 when Vitally differs from it)')
    .argument('[input]', INPUTS);
  for (const option of push?.options ?? []) if (!SENDING.has(option.long ?? '')) diff.addOption(option);
  return diff.addHelpText('after', DIFF_EXAMPLES).action(async (input: string | undefined, opts: Record<string, unknown>) => {
    const { diffCommand } = await import('./diff.js');
    exit(await diffCommand(input, opts, io));
  });
}
