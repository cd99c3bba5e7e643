/**
 * One push, assembled from its resolved settings: the in-process sandbox, the request log, the state
 * store, Vitally's trait catalogue, the rejects file, the sender and the comparison's reader, opened in that order, wired to
 * runSync, and closed together. `vitally-sync push` (src/cli/push.ts) and the programmatic `push()`
 * (push.ts) both run through here, so a run is the same whoever started it; they differ only in what
 * they do with the results (render them and choose an exit code, or hand them to the caller).
 *
 * Nothing here knows the terminal: warnings and the sandbox's address go to the caller's callbacks.
 */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { resolve as resolvePath } from 'node:path';
import type { PushConfig } from '../config/push.js';
import { ConfigError } from '../errors.js';
import type { Sandbox } from '../sandbox/index.js';
import { sandboxCatalogue } from '../schema/catalogue.js';
import { specForRun } from '../schema/definitions.js';
import { setupTraits, type TraitSetup } from '../schema/setup.js';
import { assertReadable, assertText, type SourceOptions } from '../source/index.js';
import { destinationOf } from '../state/destination.js';
import { RunState } from '../state/run-state.js';
import type { DB } from '../state/store.js';
import type { VerifyProgress } from '../sync/compare/index.js';
import { runSync, RunStopped } from '../sync/run.js';
import { transportKind } from '../sync/transports.js';
import type { Connection, RowResult, Summary } from '../types.js';
import { analyticsAuthorization, restAuthorization } from '../vitally/auth.js';
import type { Secrets } from '../vitally/redact.js';
import type { Sender } from '../vitally/sender.js';
import { checkApart, checkOutputFile, outputsOf } from './ndjson-file.js';
import { listerFor } from './lister.js';
import { RejectsWriter } from './rejects.js';
import { RequestLog } from './request-log.js';

export interface SessionIO {
  /** What an input of '-' reads. */
  stdin?: Readable | undefined;
  /** The run's credentials: each one this run reads is added, and the files it writes take `redact`. */
  secrets: Secrets;
  /** Stops the run: no new row is read, nothing is retried, the answers in flight get a few seconds. */
  signal: AbortSignal;
  /** A warning from the sender as it happens (a rate-limit header not believed); the summary lists them too. */
  onWarning?: ((text: string) => void) | undefined;
  /** The in-process sandbox (--sandbox) is up at this address. */
  onSandbox?: ((url: string) => void) | undefined;
  /** How this run is named to a second run that finds the state store locked: the command line. */
  command: string;
  /** The input was read whole for the checks before the run already (`run` checks every sync first). */
  inputChecked?: boolean | undefined;
  /** Records of the workspace listed so far (a comparison with Vitally), after each page. */
  onListing?: ((listed: number) => void) | undefined;
  /** Where --verify stands, after each check. */
  onVerify?: ((p: VerifyProgress) => void) | undefined;
}

export interface Session {
  /** The run's settings, with a custom object's definition read from Vitally. */
  readonly cfg: PushConfig;
  /** Absent on a dry run without a connection: nothing is sent. */
  readonly sender: Sender | undefined;
  /**
   * The results in input order, in batches, then the summary. Failed rows go to the rejects file as they
   * pass. When the run must stop (a refused token, a server that kept failing), it throws RunStopped,
   * whose summary says how far it got.
   */
  readonly results: AsyncGenerator<RowResult[], Summary>;
  /** Close everything opened, whatever fails; resolves to the first failure (a file not written whole), if any. */
  close(): Promise<unknown>;
}

/** What the reader is given: the input, its format, the columns left out, the reader's own settings. */
export const sourceOf = (cfg: PushConfig): SourceOptions => ({ path: cfg.input, format: cfg.format, ignore: cfg.ignore, ...cfg.readerSettings });

const noSender = (): never => {
  throw new Error('internal: a dry run without a connection has no sender');
};

/** Open everything a run needs; when one step fails, what was opened before it is closed again. */
export async function openSession(given: PushConfig, io: SessionIO): Promise<Session> {
  let cfg = given;
  // Every credential this run may hold, known before anything can print: both APIs' (from the
  // environment or a token file), the catalogue's, a database password, a proxy's password.
  io.secrets.add(cfg.connection?.token, cfg.analytics?.token, cfg.traitCheck.connection?.token, ...cfg.secrets, ...cfg.net.proxy.secrets);
  if (cfg.input !== '-') await assertReadable(cfg.input);
  // A file that is not text in its encoding is refused whole, before anything is sent.
  if (!io.inputChecked) await assertText(sourceOf(cfg));
  // The output files before anything is asked of Vitally (a custom object's definition and the trait
  // catalogue are read before the rejects file opens): their folders are made when they open.
  if (cfg.rejects) checkOutputFile('--rejects', cfg.rejects);
  if (cfg.logRequests) checkOutputFile('--log-requests', cfg.logRequests);
  checkApart([{ path: cfg.input }, ...(cfg.statePath ? [{ path: cfg.statePath, flag: '--state' }] : [])], outputsOf(cfg));

  let sandbox: Sandbox | undefined;
  let db: DB | undefined;
  let closeStore: (db: DB) => void = (d) => d.close();
  let rejects: RejectsWriter | undefined;
  let sender: Sender | undefined;
  /** The reads of the comparison and --verify (REST): the sender itself when it speaks REST. */
  let lister: Sender | undefined;
  let requestLog: RequestLog | undefined;
  const close = () =>
    closeAll([
      () => rejects?.close(),
      () => sender?.http.close(),
      () => sender?.pacer.close(),
      () => lister !== sender && lister?.http.close(),
      () => lister !== sender && lister?.pacer.close(),
      () => requestLog?.close(),
      () => sandbox?.close(),
      () => db && closeStore(db),
    ]);
  try {
    // Where the rows go: the API the transport speaks, REST or Analytics (events, --via analytics).
    const api = transportKind(cfg.via).api;
    const analytics = api === 'analytics';
    let connection: Connection | undefined = analytics ? cfg.analytics : cfg.connection;
    if (cfg.sandbox) {
      const { createSandbox } = await import('../sandbox/index.js');
      sandbox = await createSandbox(sandboxCatalogue(cfg.traitCheck.file));
      connection = analytics
        ? { baseUrl: sandbox.analyticsUrl, token: sandbox.analyticsToken, tokenSource: 'the sandbox Analytics token' }
        : { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' };
      io.onSandbox?.(sandbox.url);
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
      db = store.openStore(cfg.statePath, { readonly: cfg.dryRun, lock: { command: redact(io.command) } });
    }
    const rest = sandbox ? { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' } : undefined;
    // The HTTP client (undici) is loaded only when something may be sent: a dry run needs none of it, unless
    // it reads what is read before the run (the trait catalogue, a custom object's definition).
    const reads = cfg.traitCheck.connection ?? (cfg.spec.definition || cfg.compare === 'vitally' ? cfg.connection : undefined);
    const { createSender } = cfg.dryRun && !reads && !sandbox ? { createSender: noSender } : await import('./sender.js');
    // Every row asleep before a retry and every request waiting to start listens for the stop, each
    // until its wait ends: many more than the 10 listeners past which Node warns of a leak.
    setMaxListeners(0, io.signal);
    // The senders of the reads before the run (a definition, the trait catalogue, the listing) stop with
    // the run too: a stop during their rate-limit waits ends them within seconds.
    const makeSender = (c: Connection) => {
      const s = createSender(cfg, c, restAuthorization, requestLog?.listener('rest'));
      s.stopOn(io.signal);
      return s;
    };
    // A custom object's definition, read once before anything else (a dry run with a token reads it too).
    const defined = await specForRun(cfg.spec, rest ?? cfg.connection, makeSender);
    cfg = { ...cfg, spec: defined.spec };
    if (cfg.rejects) {
      rejects = new RejectsWriter(cfg.rejects, redact);
      await rejects.opened().catch((err: { code?: string }) => {
        throw new ConfigError(`--rejects ${cfg.rejects}: cannot be written (${err.code ?? 'error'})`);
      });
    }
    // Vitally's trait catalogue (--types, --strict-traits). Under --strict-traits it is read before the run
    // is recorded, since it may stop it here; else once the input's first rows are read (an unreadable
    // input then costs no request).
    const traits: { setup?: TraitSetup | undefined } = {};
    const withSpec = cfg;
    const setup = async () =>
      (traits.setup = await setupTraits(withSpec.traitCheck, {
        spec: withSpec.spec,
        dryRun: withSpec.dryRun,
        db,
        rest: rest ?? withSpec.traitCheck.connection,
        makeSender,
        source: sourceOf(withSpec),
        mapper: { map: withSpec.map, ignore: withSpec.ignore },
      }));
    if (cfg.traitCheck.strict) await setup();
    const state = db
      ? new RunState(db, {
          destination: destinationOf(connection!.baseUrl, connection!.token),
          object: cfg.spec.name,
          source: cfg.sourceName ?? (cfg.input === '-' ? 'stdin' : resolvePath(cfg.input)),
          full: cfg.full,
          readOnly: cfg.dryRun,
        })
      : undefined;
    sender =
      cfg.dryRun || !connection ? undefined : createSender(cfg, connection, analytics ? analyticsAuthorization : restAuthorization, requestLog?.listener(api));
    // The reads of the comparison and --verify (the listing of the workspace): REST, on a dry run too.
    lister = listerFor(cfg, rest ?? cfg.connection, sender, api, makeSender);
    for (const s of new Set([sender, lister])) if (s && io.onWarning) s.onNotice = io.onWarning;
    // (A lister of its own came from makeSender, which made it stop with the run already.)
    sender?.stopOn(io.signal);
    const run = runSync(
      {
        spec: cfg.spec,
        mode: cfg.mode,
        source: { ...sourceOf(cfg), ...(io.stdin ? { stdin: io.stdin } : {}) },
        mapper: { map: cfg.map, ignore: cfg.ignore, empty: cfg.empty, listSeparator: cfg.listSeparator, cells: cfg.cells, ...traits.setup?.mapper },
        ...(cfg.traitCheck.enabled && !cfg.traitCheck.strict ? { mapperFrom: async () => (await setup())?.mapper ?? {} } : {}),
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
        compare: { compare: cfg.compare, verify: cfg.verify },
      },
      {
        ...(sender ? { sender } : {}),
        ...(state ? { state } : {}),
        ...(lister ? { lister } : {}),
        ...(io.onListing ? { onListing: io.onListing } : {}),
        ...(io.onVerify ? { onVerify: io.onVerify } : {}),
        signal: io.signal,
      },
    );
    const notes = defined.note ? [defined.note] : [];
    const finish = (summary: Summary) =>
      finishSummary(summary, rejects, withSpec, [...notes, ...(traits.setup?.warnings(summary.traitTypes) ?? [])], new Set([sender, lister]));
    return { cfg, sender, results: withRejects(run, rejects, finish), close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The run's results, each failed row added to the rejects file as it passes, and the summary finished. */
async function* withRejects(
  run: AsyncGenerator<RowResult[], Summary>,
  rejects: RejectsWriter | undefined,
  finish: (s: Summary) => void,
): AsyncGenerator<RowResult[], Summary> {
  try {
    for (;;) {
      const next = await run.next();
      if (next.done) {
        finish(next.value);
        return next.value;
      }
      if (rejects) for (const r of next.value) rejects.add(r);
      yield next.value;
    }
  } catch (err) {
    if (err instanceof RunStopped) finish(err.summary);
    throw err;
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

function finishSummary(summary: Summary, rejects: RejectsWriter | undefined, cfg: PushConfig, warnings: string[], senders: Set<Sender | undefined>): void {
  const notes = [...warnings, ...[...senders].flatMap((s) => s?.notices ?? [])];
  if (notes.length > 0) summary.warnings = [...notes, ...(summary.warnings ?? [])];
  if (rejects && rejects.count > 0) summary.rejectsFile = cfg.rejects;
  if (cfg.logRequests) summary.requestLog = cfg.logRequests;
}
