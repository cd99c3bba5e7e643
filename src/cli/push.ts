/**
 * `vitally-sync push`: flags -> PushConfig -> a session (src/api/session.ts, shared with the programmatic
 * push()), rendered: result lines or NDJSON, the progress bar, the summary, signals and the exit code.
 * No business logic here.
 */
import { openSession, type Session } from '../api/session.js';
import { pushSources } from '../config/file-sources.js';
import { resolvePushConfig, type PushConfig, type PushFlags } from '../config/push.js';
import type { Sources } from '../config/sources.js';
import { AuthError, InputError } from '../errors.js';
import { RunStopped } from '../sync/run.js';
import type { Summary } from '../types.js';
import { compareProgress } from './compare.js';
import { EXIT, temporaryExit, type CliIO, type Out } from './io.js';
import { progressWanted, startProgress } from './progress.js';
import { createRenderer, type Renderer } from './render.js';
import { say, sayError } from './report.js';
import { guardIO } from './secret-io.js';
import { onInterrupt } from './signals.js';

export async function pushCommand(input: string | undefined, flags: PushFlags, io: CliIO): Promise<number> {
  // A config file's connection settings fill the settings not given (flags, then environment, then file).
  return pushWith(input, pushSources({ ...flags }, io.env, process.cwd()), io);
}

/**
/**
 * What a run's results become: rows and a summary rendered as push renders them (default), or another
 * view of the same run (`diff`), whose exit code it also decides.
 */
export type View = (out: Out, cfg: PushConfig) => Renderer & { exitCode?(summary: Summary): number };

/**
 * A push from its settings' sources (`run` hands over a sync's, with `checked` set: its input was read
 * for the checks before the first request already; `diff` a dry run comparing with Vitally, and its view).
 */
export async function pushWith(input: string | undefined, sources: Sources, given: CliIO, checked = false, view?: View): Promise<number> {
  const io = guardIO(given);
  const cfg = resolvePushConfig(input, sources);
  const controller = new AbortController();
  let session: Session | undefined;
  let stopSignals = () => {};
  let code: number | undefined;
  try {
    // Listening before the session opens: a stop during what is read before the run (the trait
    // catalogue under --strict-traits, a custom object's definition) ends it too, with its summary.
    if (io.signals) {
      stopSignals = onInterrupt(
        () => {
          controller.abort();
          say(io, cfg.json, 'notice', '\nStopping: no new rows are read; the requests in flight finish. Press Ctrl-C again to stop at once.', cfg.sync);
        },
        () => process.exit(EXIT.interrupted),
      );
    }
    session = await openSession(cfg, {
      stdin: io.stdin,
      secrets: io.secrets,
      signal: controller.signal,
      command: ['vitally-sync', ...process.argv.slice(2)].join(' '),
      inputChecked: checked,
      onWarning: (notice) => say(io, cfg.json, 'warning', notice, cfg.sync),
      onSandbox: (url) =>
        say(io, cfg.json, 'notice', `Using an in-process sandbox at ${url}: nothing leaves this machine, and its records vanish when the run ends.`, cfg.sync),
      ...compareProgress(io, cfg),
    });
    code = await render(session, io, view);
    return code;
  } finally {
    stopSignals();
    // Each resource is closed whatever the others do. The first failure (an output file that could not
    // be written whole) decides the exit when the run itself ended normally; otherwise the run's own
    // outcome (a refused token, an interrupt, a bug) stands and the failure is only printed.
    const closeErr = await session?.close();
    if (closeErr !== undefined) {
      // eslint-disable-next-line no-unsafe-finally -- the run ended normally: an output not written whole decides the exit
      if (code !== undefined) throw closeErr;
      const message = closeErr instanceof Error ? closeErr.message : String(closeErr);
      // Under --json, a warning line like every other line on stderr.
      if (cfg.json) say(io, true, 'warning', message, cfg.sync);
      else io.stderr.write(`vitally-sync: ${message}\n`);
    }
  }
}

/** Print the session's results and summary; the exit code. */
async function render(session: Session, io: CliIO, view: View | undefined): Promise<number> {
  const { cfg } = session;
  // The progress bar (a terminal only; never with --json or --quiet): result lines clear it first.
  const progress = progressWanted(io, cfg) ? startProgress(io, { input: cfg.input, format: cfg.format, stats: () => session.sender?.stats }) : undefined;
  const stdout = progress ? progress.around(io.stdout) : io.stdout;
  const out: ReturnType<View> = view ? view(stdout, cfg) : createRenderer(stdout, cfg.json, cfg.quiet, cfg.sync);
  let summary: Summary;
  try {
    for (;;) {
      const next = await session.results.next();
      if (next.done) {
        summary = next.value;
        break;
      }
      // One batch of results at a time (see runSync); each row is still rendered, and waited for when the
      // output is congested, in turn.
      for (const result of next.value) {
        out.row(result);
        const congested = out.ready();
        if (congested) await congested;
        progress?.tick();
      }
    }
  } catch (err) {
    progress?.stop();
    if (!(err instanceof RunStopped)) throw err;
    const reason = err.reason;
    // The input refused before any row had a result (a file whose first record has two columns for one
    // field) is told by its error alone, as a refusal before the run is: a summary of zeros would only
    // suggest that something ran. Any other stop (a refused token, a host that cannot be reached) keeps
    // its summary, which says how far it got.
    if (!(reason instanceof InputError && err.summary.rows === 0)) out.summary(err.summary);
    // A stop (Ctrl-C, SIGTERM) that refused a read the run needed (the trait catalogue): interrupted, as
    // the summary says.
    if (reason.code === 'INTERRUPTED') return EXIT.interrupted;
    const exitCode = reason instanceof AuthError ? EXIT.auth : (temporaryExit(reason) ?? EXIT.usage);
    sayError(io, cfg.json, { code: reason.code, message: reason.message, exitCode }, '', cfg.sync);
    if (reason instanceof AuthError && !cfg.json) {
      io.stderr.write('The run stopped at once: no other row was sent with this token. Check the token and --region/--subdomain.\n');
    }
    return exitCode;
  }
  progress?.stop();
  out.summary(summary);
  if (summary.interrupted) return EXIT.interrupted;
  if (out.exitCode) return out.exitCode(summary);
  return summary.failed > 0 ? EXIT.rowsFailed : EXIT.ok;
}
