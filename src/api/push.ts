/**
 * The programmatic push: `await push(options)` checks the options and opens the run (a ConfigError,
 * InputError or StateError rejects it before anything is sent), and gives a PushRun: the results as an
 * async iterable, in input order, and `summary`, a promise of the summary. It prints nothing and never
 * exits the process; the same session as the CLI's runs underneath (session.ts).
 *
 *     const run = await push({ input: 'accounts.csv', object: 'account', token: process.env.VITALLY_TOKEN, subdomain: 'acme' });
 *     for await (const r of run) if (r.status === 'failed') console.error(r.row, r.error);
 *     const summary = await run.summary;
 *
 * Options are push's settings (the same table as the flags and the config file: src/config/settings.ts),
 * typed as in a config file, plus what only a caller has: tokens given directly, an AbortSignal, a stream
 * as input, an environment of its own, a working directory. docs/api.md documents them.
 */
import { isAbsolute, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { resolveConfigFile } from '../config/file.js';
import { syncSources } from '../config/file-sources.js';
import { resolvePushConfig } from '../config/push.js';
import { settingDefs } from '../config/settings.js';
import type { Sources } from '../config/sources.js';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { readerByScheme } from '../source/index.js';
import type { Connection, Summary } from '../types.js';
import { Secrets } from '../vitally/redact.js';
import type { PushOptions, PushResult, PushRun } from './options.js';
import { publicResult } from './result.js';
import { openSession, type Session } from './session.js';

/** The options that are not settings of the table: what only a caller of push() has. */
const OWN = new Set(['input', 'token', 'analyticsToken', 'signal', 'env', 'cwd', 'config', 'sync', 'onWarning']);
/** Settings that mean something on a terminal only. */
const TERMINAL_ONLY = new Set(['json', 'quiet']);

/** Push a file, a stream or a query to Vitally; see PushOptions. Rejects with a typed error before anything is sent. */
export async function push(options: PushOptions): Promise<PushRun> {
  const { input, token, analyticsToken, signal, cwd = process.cwd(), config, sync, onWarning } = options;
  const flags: Record<string, unknown> = {};
  const known = Object.keys(settingDefs()).filter((n) => !TERMINAL_ONLY.has(n));
  for (const [name, value] of Object.entries(options)) {
    if (OWN.has(name) || value === undefined) continue;
    if (!known.includes(name)) {
      throw new ConfigError(`push(): unknown option "${name}"${didYouMean(name, [...known, ...OWN])}`, 'CONFIG_INVALID');
    }
    flags[name] = value;
  }
  // Tokens given as options stand where the environment would hold them; nothing is read from process.env.
  const env: Record<string, string | undefined> = { ...options.env };
  if (token !== undefined) env.VITALLY_API_TOKEN = token;
  if (analyticsToken !== undefined) env.VITALLY_ANALYTICS_TOKEN = analyticsToken;

  const stdin = input instanceof Readable ? input : undefined;
  let path = typeof input === 'string' ? input : stdin ? '-' : undefined;
  if (input !== undefined && typeof input !== 'string' && !stdin)
    throw new ConfigError('push(): input must be a path, a postgres:// URL or a Readable stream', 'CONFIG_INVALID');
  if (path && path !== '-' && !readerByScheme(path) && !isAbsolute(path)) path = resolve(cwd, path);

  let sources: Sources;
  const file = config === undefined ? null : resolveConfigFile(config, cwd);
  if (sync !== undefined) {
    if (!file) throw new ConfigError('push(): the option sync needs the option config (the file that holds the sync)', 'CONFIG_MISSING');
    const named = syncSources(file, sync, flags, env);
    sources = { ...named.sources, options: { dir: cwd } };
    path ??= named.input;
  } else {
    sources = { flags, env, options: { dir: cwd }, connection: file ? { values: file.connection, where: `${file.path}: connection` } : undefined };
  }
  const cfg = resolvePushConfig(path, sources);
  // An auth error names where the token came from: here, the option (for the rows and for what is read before them).
  const named = (c: Connection | undefined, given: string | undefined, option: string): Connection | undefined =>
    c && given !== undefined && c.token === given.trim() ? { ...c, tokenSource: `the ${option} option of push()` } : c;
  cfg.connection = named(cfg.connection, token, 'token');
  cfg.traitCheck = { ...cfg.traitCheck, connection: named(cfg.traitCheck.connection, token, 'token') };
  cfg.analytics = named(cfg.analytics, analyticsToken, 'analyticsToken');

  const controller = new AbortController();
  const stop = () => controller.abort(signal?.reason);
  if (signal?.aborted) stop();
  else signal?.addEventListener('abort', stop, { once: true });
  let session: Session;
  try {
    session = await openSession(cfg, {
      stdin,
      secrets: new Secrets(),
      signal: controller.signal,
      onWarning,
      command: `push() of the vitally-sync API, in ${cwd}`,
    });
  } catch (err) {
    signal?.removeEventListener('abort', stop);
    throw err;
  }
  return new Run(session, controller, () => signal?.removeEventListener('abort', stop));
}

/** A run under way: its results, once, and its summary. */
class Run implements PushRun {
  private readonly done: Promise<Summary>;
  private settle!: { resolve: (s: Summary) => void; reject: (e: unknown) => void };
  private taken = false;

  constructor(
    private readonly session: Session,
    private readonly controller: AbortController,
    private readonly detach: () => void,
  ) {
    this.done = new Promise<Summary>((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    // A caller that iterates and catches the error need not await the summary too.
    this.done.catch(() => {});
  }

  get summary(): Promise<Summary> {
    // Asked for before the results (and not iterated in the same turn): run to the end, results unread.
    if (!this.taken) {
      setImmediate(() => {
        if (!this.taken) void this.drainAll();
      });
    }
    return this.done;
  }

  [Symbol.asyncIterator](): AsyncIterator<PushResult> {
    if (this.taken) throw new Error("A push's results can be iterated once (or the summary was awaited first)");
    this.taken = true;
    return this.results();
  }

  private async drainAll(): Promise<void> {
    const it = this[Symbol.asyncIterator]();
    try {
      while (!(await it.next()).done);
    } catch {
      // The summary rejects with it.
    }
  }

  /** The results, as the session gives them; leaving the loop early (break, throw) stops the run, which then ends. */
  private async *results(): AsyncGenerator<PushResult> {
    let outcome: { summary: Summary } | { error: unknown } | undefined;
    try {
      for (;;) {
        const next = await this.session.results.next();
        if (next.done) {
          outcome = { summary: next.value };
          return;
        }
        for (const r of next.value) yield toPushResult(r);
      }
    } catch (err) {
      outcome = { error: err };
      throw err;
    } finally {
      if (!outcome) {
        // The caller left the loop early: stop reading, and let the rows in flight finish.
        this.controller.abort();
        outcome = await drain(this.session);
      }
      this.detach();
      const closeErr = await this.session.close();
      if ('summary' in outcome && closeErr !== undefined) outcome = { error: closeErr };
      if ('summary' in outcome) this.settle.resolve(outcome.summary);
      else this.settle.reject(outcome.error);
      // A file that could not be written whole fails the loop too, once every result was handed out.
      // eslint-disable-next-line no-unsafe-finally -- every result was given; the run's files were not written whole
      if ('error' in outcome && outcome.error === closeErr) throw closeErr;
    }
  }
}

async function drain(session: Session): Promise<{ summary: Summary } | { error: unknown }> {
  try {
    for (;;) {
      const next = await session.results.next();
      if (next.done) return { summary: next.value };
    }
  } catch (err) {
    return { error: err };
  }
}

/** A row's result as push() hands it out: as `push --json` prints it, and for a failed row what was read. */
function toPushResult(r: Parameters<typeof publicResult>[0]): PushResult {
  const out: PushResult = publicResult(r);
  if (r.status === 'failed') {
    if (r.source) out.record = r.source;
    else if (r.raw !== undefined) out.raw = r.raw;
    if (r.maybeApplied) out.inDoubt = true;
  }
  return out;
}
