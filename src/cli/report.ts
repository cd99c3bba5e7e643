/**
 * What the CLI says on stderr: errors, warnings and notices, as lines for people, or with --json as one
 * JSON object a line, so a job that parses stdout's NDJSON can parse stderr too:
 *
 *     {"error":{"code":"CONFIG_INVALID_CONCURRENCY","message":"--concurrency \"0\" must be ...","exitCode":2}}
 *     {"warning":{"message":"Rate-limit header ..."}}
 *
 * Under `run`, a line of a sync's run names it first, as its result lines do: `{"sync":"accounts","error":{...}}`.
 *
 * `reportError` is the one top-level catch: it maps an error to its documented exit code and says it.
 * An error's `code` is its VitallySyncError code; USAGE is a command line commander refused, INTERNAL a bug.
 */
import { CommanderError } from 'commander';
import { AuthError, ConfigError, InputError, StateError, VitallySyncError } from '../errors.js';
import { EXIT, temporaryExit, type CliIO } from './io.js';

/** Whether the command line asks for JSON (`--json` before any `--`), known before commander parses it. */
export function jsonWanted(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * An error on stderr: `vitally-sync: <prefix><message>`, or its JSON object. `sync`: the config file's
 * sync it belongs to (`run`), which names the JSON line.
 */
export function sayError(io: Pick<CliIO, 'stderr'>, json: boolean, e: { code: string; message: string; exitCode: number }, prefix = '', sync?: string): void {
  if (json) io.stderr.write(`${JSON.stringify({ ...syncOf(sync), error: { code: e.code, message: e.message, exitCode: e.exitCode } })}\n`);
  else io.stderr.write(`vitally-sync: ${prefix}${e.message}\n`);
}

/** A warning or a notice on stderr: as given, or as a JSON object (named by its sync under `run`). */
export function say(io: Pick<CliIO, 'stderr'>, json: boolean, kind: 'warning' | 'notice', text: string, sync?: string): void {
  if (json) io.stderr.write(`${JSON.stringify({ ...syncOf(sync), [kind]: { message: text.trim() } })}\n`);
  else io.stderr.write(kind === 'warning' ? `vitally-sync: warning: ${text}\n` : `${text}\n`);
}

const syncOf = (sync: string | undefined) => (sync === undefined ? {} : { sync });

/** The exit code of an error that ended a command. */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (err instanceof AuthError) return EXIT.auth;
  // A stop (Ctrl-C, SIGTERM) that refused a read before the run: the run was interrupted.
  if (err instanceof VitallySyncError && err.code === 'INTERRUPTED') return EXIT.interrupted;
  const temporary = temporaryExit(err);
  if (temporary !== undefined) return temporary;
  if (err instanceof ConfigError || err instanceof InputError || err instanceof StateError) return EXIT.usage;
  if (err instanceof VitallySyncError) return EXIT.rowsFailed;
  return EXIT.internal;
}

/**
 * Say an error that ended a command, and return its exit code. `sync` names the config file's sync it
 * ended (`run --all`): before a human message (`sync accounts: `), in the JSON line. Commander has already
 * printed its own errors, except with --json.
 */
export function reportError(err: unknown, io: CliIO, json = false, sync?: string): number {
  const prefix = sync === undefined ? '' : `sync ${sync}: `;
  const exitCode = exitCodeOf(err);
  if (err instanceof CommanderError) {
    if (json && exitCode !== EXIT.ok) sayError(io, true, { code: 'USAGE', message: err.message.replace(/^error: /, ''), exitCode });
    return exitCode;
  }
  if (err instanceof VitallySyncError) {
    sayError(io, json, { code: err.code, message: err.message, exitCode }, prefix, sync);
    return exitCode;
  }
  const e = err as Error;
  if (json)
    sayError(
      io,
      true,
      { code: 'INTERNAL', message: `${e?.stack ?? String(err)}\nThis is a bug: please report it with the command you ran.`, exitCode },
      '',
      sync,
    );
  else io.stderr.write(`vitally-sync: ${prefix}internal error: ${e?.stack ?? String(err)}\nThis is a bug: please report it with the command you ran.\n`);
  return exitCode;
}
