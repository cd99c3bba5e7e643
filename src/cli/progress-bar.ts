/**
 * How the progress bar of `push` looks: cli-progress's own format strings, tokens and formatters.
 *
 *     ████████░░░░░░░░  50% | 500/~1,000 rows | 42 rows/s | 429s 3 | retries 5 | ETA 12s
 *     1,234 rows | 2.3 rows/s | 429s 0 | retries 0 | 1m 15s elapsed            (stdin: no total)
 *
 * cli-progress gives {bar}, {percentage}, {value}, {total}, {eta_formatted} (its ETA from the recent
 * updates) and {duration_formatted}; the payload gives {rate} (rows per second at the recent pace),
 * {rateLimited} and {retries} (the sender's counters). Its `formatValue` and `formatTime` hooks write the
 * numbers as the rest of the tool does (1,234; 1m 15s; `--` for an ETA not known yet).
 *
 * cli-progress draws through `BarLine` instead of its own terminal: its cursor save and restore assume
 * no one else writes to the terminal, and here the result lines do (they clear the bar first).
 */
import type cliProgressTypes from 'cli-progress';
import type { Out } from './io.js';

const COLOR = { cyan: '\x1b[36m', yellow: '\x1b[33m', reset: '\x1b[39m', dim: '\x1b[2m', undim: '\x1b[22m' } as const;
const ANSI = /\x1b\[\d+m/g;

const thousands = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const rate = (r: number) => (r < 10 ? r.toFixed(1) : thousands(r));

/** 75 -> "1m 15s", 3725 -> "1h 02m", 9 -> "9s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** The tail shared by both formats: the pace and the sender's counters. */
const TAIL = '{rate} rows/s | 429s {rateLimited} | retries {retries}';

/** The widest the text beside the bar gets in practice (a million rows, an hour's ETA). */
const TEXT_BESIDE_BAR = 80;

export interface BarLook {
  color: boolean;
  /** Terminal columns. */
  width: number;
  /** Whether the total is known (a file whose records were counted), so a bar and an ETA can be shown. */
  known: boolean;
}

/** cli-progress's options for the bar: its format, its bar, and how it writes numbers and times. */
export function barOptions(look: BarLook): cliProgressTypes.Options {
  // The bar takes what the text leaves, up to 30 columns; on a narrow terminal there is none.
  const barsize = Math.min(30, look.width - TEXT_BESIDE_BAR);
  const bar = barsize >= 6 ? (look.color ? `${COLOR.cyan}{bar}${COLOR.undim} ` : '{bar} ') : '';
  return {
    format: look.known
      ? `${bar}{percentage}% | {value}/~{total} rows | ${TAIL} | ETA {eta_formatted}`
      : `{value} rows | ${TAIL} | {duration_formatted} elapsed`,
    barsize: Math.max(barsize, 0),
    barCompleteChar: '█',
    barIncompleteChar: '░',
    // Between the done and the rest of the bar: the rest is dimmed.
    barGlue: look.color ? `${COLOR.reset}${COLOR.dim}` : '',
    formatValue: (v, _o, type) => (type === 'percentage' ? String(v).padStart(3) : type === 'value' || type === 'total' ? thousands(Number(v)) : String(v)),
    // cli-progress passes 'NULL' or 'INF' while the pace is unknown.
    formatTime: (t) => (typeof t === 'number' && Number.isFinite(t) ? formatDuration(t) : Number.isFinite(Number(t)) ? formatDuration(Number(t)) : '--'),
    etaBuffer: ETA_SAMPLES,
  };
}

/** The bar is updated this often; cli-progress's ETA averages the last ETA_SAMPLES updates (10 s). */
export const UPDATE_MS = 200;
const ETA_SAMPLES = 50;

export interface BarStats {
  rowsPerSecond: number;
  rateLimited: number;
  retries: number;
}

/** The payload tokens: the pace, and 429s and retries, yellow when there are any. */
export function payloadOf(s: BarStats, color: boolean): Record<string, string> {
  const warn = (n: number) => (n > 0 && color ? `${COLOR.yellow}${n}${COLOR.reset}` : String(n));
  return { rate: rate(s.rowsPerSecond), rateLimited: warn(s.rateLimited), retries: warn(s.retries) };
}

/** `line` as it fits in `width` columns: cut, its colours dropped, when it is too long. */
export function fit(line: string, width: number): string {
  const plain = line.replace(ANSI, '');
  return plain.length <= width ? line : plain.slice(0, width);
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
 * The terminal cli-progress draws through: the bar lives on the last line of stderr and is redrawn in
 * place; `clearLine` is what a result line calls before it is written.
 */
export class BarLine {
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
    // One column is kept free, so the cursor never wraps to a new line.
    this.out.write(fit(s, this.getWidth() - 1));
  }
  lineWrapping(): void {}
  isTTY(): boolean {
    return true;
  }
  getWidth(): number {
    return (this.out as { columns?: number }).columns || 80;
  }
}
