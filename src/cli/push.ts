/** `vitally-sync push`: flags -> PushConfig -> runSync, rendered. No business logic here. */
import { resolvePushConfig, type PushConfig, type PushFlags } from '../config/push.js';
import { AuthError, ConfigError } from '../errors.js';
import type { Sandbox } from '../sandbox/index.js';
import { sandboxCatalogue } from '../schema/catalogue.js';
import type { MapperOptions } from '../mapping/mapper.js';
import { specForRun } from '../schema/definitions.js';
import { setupTraits, type TraitSetup } from '../schema/setup.js';
import { assertReadable, type SourceOptions } from '../source/index.js';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { destinationOf } from '../state/destination.js';
import { RunState } from '../state/run-state.js';
import type { DB } from '../state/store.js';
import { runSync, RunStopped } from '../sync/run.js';
import { transportKind } from '../sync/transports.js';
import type { Connection, Summary } from '../types.js';
import { analyticsAuthorization, restAuthorization } from '../vitally/auth.js';
import type { Sender } from '../vitally/sender.js';
import { pushSources } from '../config/file-sources.js';
import type { Sources } from '../config/sources.js';
import { EXIT, temporaryExit, type CliIO } from './io.js';
import { progressWanted, startProgress } from './progress.js';
import { RequestLog } from './request-log.js';
import { createRenderer, RejectsWriter } from './render.js';
import { guardIO } from './secret-io.js';
import { onInterrupt } from './signals.js';

/** What the reader is given: the input, its format, the columns left out, the reader's own settings. */
const sourceOf = (cfg: PushConfig): SourceOptions => ({ path: cfg.input, format: cfg.format, ignore: cfg.ignore, ...cfg.readerSettings });

const noSender = (): never => {
  throw new Error('internal: a dry run without a connection has no sender');
};

export async function pushCommand(input: string | undefined, flags: PushFlags, io: CliIO): Promise<number> {
  // A config file's connection settings fill the settings not given (flags, then environment, then file).
  return pushWith(input, pushSources({ ...flags }, io.env, process.cwd()), io);
}

/** A push from its settings' sources (`run` hands over a sync's). */
export async function pushWith(input: string | undefined, sources: Sources, given: CliIO): Promise<number> {
  const io = guardIO(given);
  let cfg = resolvePushConfig(input, sources);
  // Every credential this run may hold, known before anything can print: both APIs' (from the
  // environment or a token file), the catalogue's, a database password.
  io.secrets.add(cfg.connection?.token, cfg.analytics?.token, cfg.traitCheck.connection?.token, ...cfg.secrets);
  if (cfg.input !== '-') await assertReadable(cfg.input);

  // Everything opened from here on is closed in the finally below, whatever fails.
  let sandbox: Sandbox | undefined;
  let db: DB | undefined;
  let closeStore: (db: DB) => void = (d) => d.close();
  let rejects: RejectsWriter | undefined;
  let sender: Sender | undefined;
  let requestLog: RequestLog | undefined;
  let stopSignals = () => {};
  let code: number | undefined;
  try {
    // Where the rows go: the API the transport speaks, REST or Analytics (events, --via analytics).
    const api = transportKind(cfg.via).api;
    const analytics = api === 'analytics';
    let connection = analytics ? cfg.analytics : cfg.connection;
    if (cfg.sandbox) {
      const { createSandbox } = await import('../sandbox/index.js');
      sandbox = await createSandbox(sandboxCatalogue(cfg.traitCheck.file));
      connection = analytics
        ? { baseUrl: sandbox.analyticsUrl, token: sandbox.analyticsToken, tokenSource: 'the sandbox Analytics token' }
        : { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' };
      io.stderr.write(`Using an in-process sandbox at ${sandbox.url}: nothing leaves this machine, and its records vanish when the run ends.\n`);
    }
    // The sandbox's token too, when there is one.
    const redact = io.secrets.add(connection?.token).redact;
    requestLog = cfg.logRequests ? new RequestLog(cfg.logRequests, redact) : undefined;
    await requestLog?.opened();
    // A dry run only reads an existing store: it never creates one.
    if (cfg.statePath && connection && (!cfg.dryRun || existsSync(cfg.statePath))) {
      const store = await import('../state/store.js');
      closeStore = store.closeStore;
      // A run that writes holds the store's lock: a second run on the same file is refused (exit 75).
      db = store.openStore(cfg.statePath, { readonly: cfg.dryRun, lock: { command: redact(['vitally-sync', ...process.argv.slice(2)].join(' ')) } });
    }
    const rest = sandbox ? { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' } : undefined;
    // The HTTP client (undici) is loaded only when something may be sent: a dry run needs none of it, unless
    // it reads what is read before the run (the trait catalogue, a custom object's definition).
    const reads = cfg.traitCheck.connection ?? (cfg.spec.definition ? cfg.connection : undefined);
    const { createSender } = cfg.dryRun && !reads && !sandbox ? { createSender: noSender } : await import('./sender.js');
    const makeSender = (c: Connection) => createSender(cfg, c, restAuthorization, requestLog?.listener('rest'));
    // A custom object's definition, read once before anything else (a dry run with a token reads it too).
    const defined = await specForRun(cfg.spec, rest ?? cfg.connection, makeSender);
    cfg = { ...cfg, spec: defined.spec };
    rejects = cfg.rejects ? new RejectsWriter(cfg.rejects, redact) : undefined;
    await rejects?.opened().catch((err: { code?: string }) => {
      throw new ConfigError(`--rejects ${cfg.rejects}: cannot be written (${err.code ?? 'error'})`);
    });
    // Vitally's trait catalogue (--types, --strict-traits). Under --strict-traits it is read before the run
    // is recorded, since it may stop it here; else once the input's first rows are read (an unreadable
    // input then costs no request).
    const traits: TraitRef = {};
    const setup = async () =>
      (traits.setup = await setupTraits(cfg.traitCheck, {
        spec: cfg.spec,
        dryRun: cfg.dryRun,
        db,
        rest: rest ?? cfg.traitCheck.connection,
        makeSender,
        source: sourceOf(cfg),
        mapper: { map: cfg.map, ignore: cfg.ignore },
      }));
    if (cfg.traitCheck.strict) await setup();
    const state = db
      ? new RunState(db, {
          destination: destinationOf(connection!.baseUrl, connection!.token),
          object: cfg.spec.name,
          source: cfg.input === '-' ? 'stdin' : (cfg.sourceName ?? resolvePath(cfg.input)),
          full: cfg.full,
          readOnly: cfg.dryRun,
        })
      : undefined;
    sender =
      cfg.dryRun || !connection ? undefined : createSender(cfg, connection, analytics ? analyticsAuthorization : restAuthorization, requestLog?.listener(api));
    if (sender) sender.onNotice = (notice) => io.stderr.write(`vitally-sync: warning: ${notice}\n`);
    const controller = new AbortController();
    sender?.stopOn(controller.signal);
    if (io.signals) {
      stopSignals = onInterrupt(
        () => {
          controller.abort();
          io.stderr.write('\nStopping: no new rows are read; the requests in flight finish. Press Ctrl-C again to stop at once.\n');
        },
        () => process.exit(EXIT.interrupted),
      );
    }
    const mapperFrom = cfg.traitCheck.enabled && !cfg.traitCheck.strict ? async () => (await setup())?.mapper ?? {} : undefined;
    code = await runAndRender(cfg, io, { state, rejects, sender, signal: controller.signal, traits, mapperFrom, notes: defined.note ? [defined.note] : [] });
    return code;
  } finally {
    stopSignals();
    // Each resource is closed whatever the others do. The first failure (an output file that could not
    // be written whole) decides the exit when the run itself ended normally; otherwise the run's own
    // outcome (a refused token, an interrupt, a bug) stands and the failure is only printed.
    const closeErr = await closeAll([
      () => rejects?.close(),
      () => sender?.http.close(),
      () => sender?.pacer.close(),
      () => requestLog?.close(),
      () => sandbox?.close(),
      () => db && closeStore(db),
    ]);
    if (closeErr !== undefined) {
      // eslint-disable-next-line no-unsafe-finally -- the run ended normally: an output not written whole decides the exit
      if (code !== undefined) throw closeErr;
      io.stderr.write(`vitally-sync: ${closeErr instanceof Error ? closeErr.message : String(closeErr)}\n`);
    }
  }
}

/** Run every step; the first error, if any, is returned once all have run. */
async function closeAll(steps: Array<() => unknown>): Promise<unknown> {
  let first: unknown;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      first ??= err;
    }
  }
  return first;
}

interface RunParts {
  state: RunState | undefined;
  rejects: RejectsWriter | undefined;
  sender: Sender | undefined;
  signal: AbortSignal;
  traits: TraitRef;
  /** Reads the catalogue once the input's first rows are read (when it was not read before the run). */
  mapperFrom: (() => Promise<Partial<MapperOptions>>) | undefined;
  /** What the summary says besides the catalogue's and the sender's warnings. */
  notes: string[];
}

/** The run's trait setup, once it is made (before the run, or once its first rows are read). */
interface TraitRef {
  setup?: TraitSetup | undefined;
}

async function runAndRender(cfg: PushConfig, io: CliIO, { state, rejects, sender, signal, traits, mapperFrom, notes }: RunParts): Promise<number> {
  // The progress bar (a terminal only; never with --json or --quiet): result lines clear it first.
  const progress = progressWanted(io, cfg) ? startProgress(io, { input: cfg.input, format: cfg.format, stats: () => sender?.stats }) : undefined;
  const render = createRenderer(progress ? progress.around(io.stdout) : io.stdout, cfg.json, cfg.quiet);
  const run = runSync(
    {
      spec: cfg.spec,
      mode: cfg.mode,
      source: { ...sourceOf(cfg), stdin: io.stdin },
      mapper: { map: cfg.map, ignore: cfg.ignore, empty: cfg.empty, listSeparator: cfg.listSeparator, ...traits.setup?.mapper },
      ...(mapperFrom ? { mapperFrom } : {}),
      dryRun: cfg.dryRun,
      match: cfg.match,
      via: cfg.via,
      batchSize: cfg.batchSize,
      constants: cfg.constants,
      unlinkRemoved: cfg.unlinkRemoved,
      links: cfg.links,
      analyticsToken: cfg.analyticsToken,
      inferTypes: cfg.inferTypes,
      ...(cfg.deleteMissing ? { deleteMissing: cfg.deleteMissing } : {}),
      concurrency: cfg.net.concurrency,
    },
    {
      ...(sender ? { sender } : {}),
      ...(state ? { state } : {}),
      signal,
    },
  );
  let summary: Summary;
  try {
    for (;;) {
      const next = await run.next();
      if (next.done) {
        summary = next.value;
        break;
      }
      // One batch of results at a time (see runSync); each row is still rendered, and waited for when the
      // output is congested, in turn.
      for (const result of next.value) {
        render.row(result);
        const congested = render.ready();
        if (congested) await congested;
        rejects?.add(result);
        progress?.tick();
      }
    }
  } catch (err) {
    progress?.stop();
    if (!(err instanceof RunStopped)) throw err;
    summary = err.summary;
    finishSummary(summary, rejects, cfg, [...notes, ...(traits.setup?.warnings(summary.traitTypes) ?? [])], sender);
    render.summary(summary);
    io.stderr.write(`vitally-sync: ${err.reason.message}\n`);
    if (err.reason instanceof AuthError) {
      io.stderr.write('The run stopped at once: no other row was sent with this token. Check the token and --region/--subdomain.\n');
      return EXIT.auth;
    }
    return temporaryExit(err.reason) ?? EXIT.usage;
  }
  progress?.stop();
  finishSummary(summary, rejects, cfg, [...notes, ...(traits.setup?.warnings(summary.traitTypes) ?? [])], sender);
  render.summary(summary);
  if (summary.interrupted) return EXIT.interrupted;
  return summary.failed > 0 ? EXIT.rowsFailed : EXIT.ok;
}

function finishSummary(summary: Summary, rejects: RejectsWriter | undefined, cfg: PushConfig, warnings: string[], sender: Sender | undefined): void {
  const notes = [...warnings, ...(sender?.notices ?? [])];
  if (notes.length > 0) summary.warnings = [...notes, ...(summary.warnings ?? [])];
  if (rejects && rejects.count > 0) summary.rejectsFile = cfg.rejects;
  if (cfg.logRequests) summary.requestLog = cfg.logRequests;
}
