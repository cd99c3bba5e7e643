/**
 * The progress bar of `push` on a terminal: rows done, rows per second, 429s and retries so far, and an
 * ETA from the recent pace. Drawn on stderr with cli-progress, only when stderr is a terminal (the
 * results may go to a file: `push big.csv > out.txt` still shows the bar), and never with --json or
 * --quiet (a cron job or a pipe sees nothing of it).
 *
 * The total is unknown for stdin: the bar then shows the count, the rate and the time so far. For a file,
 * the total is its reader's estimate (CSV and NDJSON count lines in a background pass: a byte scan, no
 * parsing, about as fast as the disk) made alongside the sync. A quoted CSV cell that spans lines makes
 * the estimate a little high, so the total is shown as "~N" and never below the rows already done.
 *
 * How the bar looks is progress-bar.ts (cli-progress's formats and tokens); whether it is shown at all
 * is `progressWanted`; the rest is plumbing.
 */
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';
import { getReader } from '../source/index.js';
import type { InputFormat } from '../types.js';
import { colorWanted } from './color.js';
import type { CliIO, Out } from './io.js';
import { BarLine, barOptions, Pace, payloadOf, UPDATE_MS } from './progress-bar.js';

/**
 * Records in a file, as its reader estimates them (lines, less a CSV header; a Parquet file's footer);
 * null if unreadable, and for a query (its size is known only once it is read).
 */
export async function estimateRecords(path: string, format: InputFormat, signal?: AbortSignal): Promise<number | null> {
  const reader = getReader(format);
  return reader.countRecords ? reader.countRecords(path, signal) : null;
}

/** Whether to draw a bar: stderr, where it is drawn, is a terminal, and neither --json nor --quiet. */
export function progressWanted(io: Pick<CliIO, 'stderr' | 'env'>, opts: { json: boolean; quiet: boolean }): boolean {
  return !opts.json && !opts.quiet && io.stderr.isTTY === true && io.env.TERM !== 'dumb';
}

export interface Progress {
  /** One more row done. */
  tick(): void;
  /** `out` as results are written to it: on the terminal too, each line first clears the bar; else `out` itself. */
  around(out: Out): Out;
  /** Clear the bar for good (before the summary). Safe to call twice. */
  stop(): void;
}

export interface ProgressSource {
  /** The input path, or '-' for stdin. */
  input: string;
  format: InputFormat;
  /** 429s and retries so far (the sender's counters). */
  stats: () => { rateLimited: number; retries: number } | undefined;
}

export function startProgress(io: Pick<CliIO, 'stderr' | 'env'>, src: ProgressSource): Progress {
  const started = Date.now();
  const pace = new Pace(started);
  const terminal = new BarLine(io.stderr);
  const color = colorWanted(io.stderr, io.env);
  // Loaded only when a bar is shown (a terminal): a cron run never pays for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;
  let done = 0;
  let total: number | null = null;
  let active = true;
  const payload = () => {
    const st = src.stats();
    return payloadOf({ rowsPerSecond: pace.rowsPerSecond(Date.now(), done), rateLimited: st?.rateLimited ?? 0, retries: st?.retries ?? 0 }, color);
  };
  /** A bar of cli-progress, drawn through `terminal`: without a total (counting, stdin), or with one. */
  const draw = (known: boolean) => {
    const b = new cliProgress.SingleBar({
      ...barOptions({ color, width: terminal.getWidth(), known }),
      terminal,
      fps: 1000 / UPDATE_MS,
      clearOnComplete: true,
      hideCursor: false,
      synchronousUpdate: false,
      gracefulExit: false,
    } as cliProgressTypes.Options);
    b.start(known ? Math.max(total ?? 0, done) : 0, done, payload());
    // A second sample at once: the ETA reads "--" until the pace is known, rather than 0s.
    b.update(done, payload());
    return b;
  };
  let bar = draw(false);
  const counting = new AbortController();
  if (src.input !== '-') {
    void estimateRecords(src.input, src.format, counting.signal).then((n) => {
      if (n === null || !active) return;
      total = n;
      // The bar with a total replaces the one without.
      bar.stop();
      bar = draw(true);
    });
  }
  const timer = setInterval(() => {
    pace.add(Date.now(), done);
    // The total is an estimate: it never shows below the rows done.
    if (total !== null && done > bar.getTotal()) bar.setTotal(done);
    bar.update(done, payload());
  }, UPDATE_MS);
  timer.unref();
  return {
    tick() {
      done++;
    },
    around(out: Out): Out {
      // Results going to a file or a pipe do not share the bar's line.
      if (out.isTTY !== true) return out;
      return {
        ...(out.isTTY !== undefined ? { isTTY: out.isTTY } : {}),
        // The underlying answer is returned as is: false asks the renderer to wait for 'drain' ...
        write: (text: string) => {
          if (active) terminal.clearLine();
          return out.write(text);
        },
        // ... which it waits for through once(): without it, the bar would switch backpressure off.
        ...(out.once ? { once: (event: 'drain', listener: () => void) => out.once!(event, listener) } : {}),
      };
    },
    stop() {
      if (!active) return;
      active = false;
      clearInterval(timer);
      counting.abort();
      bar.stop();
    },
  };
}
