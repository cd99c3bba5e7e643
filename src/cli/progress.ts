/**
 * The progress bar of `push` on a terminal: rows done, rows per second, 429s and retries so far, and an
 * ETA from the recent pace. Drawn on stderr with cli-progress, only when both stdout and stderr are a
 * terminal, and never with --json or --quiet (a cron job or a pipe sees nothing of it).
 *
 * The total is unknown for stdin: the bar then shows the count, the rate and the time so far. For a file,
 * the total is its reader's estimate (CSV and NDJSON count lines in a background pass: a byte scan, no
 * parsing, about as fast as the disk) made alongside the sync. A quoted CSV cell that spans lines makes
 * the estimate a little high, so the total is shown as "~N" and never below the rows already done.
 *
 * `renderProgress` is pure (tests call it directly); the rest is plumbing.
 */
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';
import { getReader } from '../source/index.js';
import type { InputFormat } from '../types.js';
import type { Env } from '../config/connection.js';
import type { CliIO, Out } from './io.js';

export interface ProgressState {
  done: number;
  /** Estimated rows in the input; null while unknown (stdin, or the count is still running). */
  total: number | null;
  elapsedMs: number;
  /** Rows per second at the recent pace. */
  rowsPerSecond: number;
  rateLimited: number;
  retries: number;
}

export interface RenderOptions {
  color: boolean;
  /** Terminal columns: the line never exceeds them. */
  width: number;
}

const COLOR = { cyan: ['\x1b[36m', '\x1b[39m'], yellow: ['\x1b[33m', '\x1b[39m'], dim: ['\x1b[2m', '\x1b[22m'] } as const;

const thousands = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const rate = (r: number) => (r < 10 ? r.toFixed(1) : thousands(r));

/** 75 -> "1m 15s", 3725 -> "1h 02m", 9 -> "9s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Seconds left at the given pace, or null when the total or the pace is unknown. */
export function etaSeconds(done: number, total: number | null, rowsPerSecond: number): number | null {
  if (total === null || rowsPerSecond <= 0) return null;
  return Math.max(0, total - done) / rowsPerSecond;
}

/** The bar's one line, e.g. `[#####-----] 50% | 500/~1,000 rows | 42.0 rows/s | 429s 3 | retries 5 | ETA 12s`. */
export function renderProgress(s: ProgressState, o: RenderOptions): string {
  const paint = (c: keyof typeof COLOR, text: string) => (o.color ? `${COLOR[c][0]}${text}${COLOR[c][1]}` : text);
  const total = s.total === null ? null : Math.max(s.total, s.done);
  const counters = [
    total === null ? `${thousands(s.done)} rows` : `${thousands(s.done)}/~${thousands(total)} rows`,
    `${rate(s.rowsPerSecond)} rows/s`,
    `429s ${s.rateLimited > 0 ? paint('yellow', String(s.rateLimited)) : '0'}`,
    `retries ${s.retries > 0 ? paint('yellow', String(s.retries)) : '0'}`,
  ];
  const eta = etaSeconds(s.done, total, s.rowsPerSecond);
  const time = total === null ? `${formatDuration(s.elapsedMs / 1000)} elapsed` : `ETA ${eta === null ? '--' : formatDuration(eta)}`;
  const tail = [...counters, time].join(' | ');
  const plainTail = tail.replace(/\x1b\[\d+m/g, '');
  if (total === null) return plainTail.length <= o.width ? tail : plainTail.slice(0, o.width);
  const share = total === 0 ? 1 : s.done / total;
  const pct = `${String(Math.floor(share * 100)).padStart(3)}%`;
  // The bar takes what the counters leave, between 6 and 30 columns, or goes when there is no room.
  const room = o.width - plainTail.length - pct.length - 6;
  const size = Math.min(30, room);
  if (size < 6) {
    const line = `${pct} | ${tail}`;
    return line.replace(/\x1b\[\d+m/g, '').length <= o.width ? line : `${pct} | ${plainTail}`.slice(0, o.width);
  }
  const filled = Math.round(share * size);
  const bar = `${paint('cyan', '█'.repeat(filled))}${paint('dim', '░'.repeat(size - filled))}`;
  return `${bar} ${pct} | ${tail}`;
}

/** Rows per second over the last `windowMs` (the recent pace, which 429s and back-offs change). */
export class Pace {
  private readonly samples: Array<[number, number]> = [];
  constructor(
    private readonly started: number,
    private readonly windowMs = 10_000,
  ) {}

  add(now: number, done: number): void {
    const last = this.samples.at(-1);
    if (last && now - last[0] < 200) last[1] = done;
    else this.samples.push([now, done]);
    while (this.samples.length > 2 && now - this.samples[1]![0] >= this.windowMs) this.samples.shift();
  }

  rowsPerSecond(now: number, done: number): number {
    const first = this.samples[0];
    // Until the window has a few seconds in it, the average since the start is steadier.
    if (!first || now - first[0] < 2000) {
      const ms = now - this.started;
      return ms > 0 ? (done / ms) * 1000 : 0;
    }
    return ((done - first[1]) / (now - first[0])) * 1000;
  }
}

/**
 * Records in a file, as its reader estimates them (lines, less a CSV header; a Parquet file's footer);
 * null if unreadable, and for a query (its size is known only once it is read).
 */
export async function estimateRecords(path: string, format: InputFormat, signal?: AbortSignal): Promise<number | null> {
  const reader = getReader(format);
  return reader.countRecords ? reader.countRecords(path, signal) : null;
}

/** Whether to draw a bar: a terminal on both stdout and stderr, and neither --json nor --quiet. */
export function progressWanted(io: Pick<CliIO, 'stdout' | 'stderr' | 'env'>, opts: { json: boolean; quiet: boolean }): boolean {
  return !opts.json && !opts.quiet && io.stderr.isTTY === true && io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}

/** Colours on a terminal unless NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorWanted(out: Out, env: Env): boolean {
  return out.isTTY === true && !env.NO_COLOR && env.TERM !== 'dumb';
}

export interface Progress {
  /** One more row done. */
  tick(): void;
  /** `out` wrapped so that a line written to it first clears the bar (both share the terminal). */
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

/**
 * cli-progress draws through this instead of its own terminal, whose cursor save/restore assumes no one
 * else writes to the terminal; here the result lines do. The bar lives on the last line and is redrawn
 * in place.
 */
class BarLine {
  constructor(private readonly out: Out) {}
  cursorSave(): void {}
  cursorRestore(): void {}
  cursor(): void {}
  cursorTo(): void {
    this.out.write('\r');
  }
  cursorRelative(): void {}
  cursorRelativeReset(): void {}
  clearRight(): void {
    this.out.write('\x1b[K');
  }
  clearLine(): void {
    this.out.write('\r\x1b[2K');
  }
  clearBottom(): void {}
  newline(): void {
    this.out.write('\n');
  }
  write(s: string): void {
    this.out.write(s);
  }
  lineWrapping(): void {}
  isTTY(): boolean {
    return true;
  }
  getWidth(): number {
    return (this.out as { columns?: number }).columns || 80;
  }
}

export function startProgress(io: Pick<CliIO, 'stderr' | 'env'>, src: ProgressSource): Progress {
  const started = Date.now();
  const pace = new Pace(started);
  const terminal = new BarLine(io.stderr);
  const color = colorWanted(io.stderr, io.env);
  let done = 0;
  let total: number | null = null;
  let active = true;
  const counting = new AbortController();
  if (src.input !== '-') {
    void estimateRecords(src.input, src.format, counting.signal).then((n) => {
      total = n;
    });
  }
  const line = () => {
    const now = Date.now();
    const st = src.stats();
    return renderProgress(
      { done, total, elapsedMs: now - started, rowsPerSecond: pace.rowsPerSecond(now, done), rateLimited: st?.rateLimited ?? 0, retries: st?.retries ?? 0 },
      { color, width: Math.max(20, terminal.getWidth() - 1) },
    );
  };
  // Loaded only when a bar is shown (a terminal): a cron run never pays for it.
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;
  const bar = new cliProgress.SingleBar({
    format: () => line(),
    fps: 5,
    clearOnComplete: true,
    forceRedraw: true,
    hideCursor: false,
    synchronousUpdate: false,
    gracefulExit: false,
    terminal,
  } as cliProgressTypes.Options);
  bar.start(1, 0);
  return {
    tick() {
      done++;
      pace.add(Date.now(), done);
    },
    around(out: Out): Out {
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
      counting.abort();
      bar.stop();
    },
  };
}
