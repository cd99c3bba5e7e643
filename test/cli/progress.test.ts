import { gzipSync } from 'node:zlib';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import type cliProgressTypes from 'cli-progress';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { colorWanted } from '../../src/cli/color.js';
import type { CliIO, Out } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { BarLine, barOptions, fit, formatDuration, Pace, payloadOf, type BarStats } from '../../src/cli/progress-bar.js';
import { estimateRecords, progressWanted, startProgress } from '../../src/cli/progress.js';
import { createRenderer } from '../../src/cli/render.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, runCli, sandboxEnv, tempDir, writeTemp } from '../helpers/cli.js';

const ANSI = /\x1b\[/;
const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;

/**
 * The line cli-progress draws for these numbers, with the bar's options: its own formatter, as the bar's
 * every redraw calls it, given the ETA and the elapsed time instead of a clock.
 */
function line(
  o: { known: boolean; width?: number; color?: boolean },
  at: { value: number; total: number; etaSeconds: number | string; elapsedSeconds?: number },
  stats: Partial<BarStats> = {},
): string {
  const bar = new cliProgress.SingleBar({
    ...barOptions({ color: o.color ?? false, width: o.width ?? 120, known: o.known }),
    terminal: new BarLine({ write: () => true }),
  } as cliProgressTypes.Options);
  const options = (bar as unknown as { options: cliProgressTypes.Options }).options;
  const params = {
    progress: Math.min(1, at.value / at.total),
    eta: at.etaSeconds as number,
    startTime: 0,
    stopTime: (at.elapsedSeconds ?? 10) * 1000,
    total: at.total,
    value: at.value,
    maxWidth: o.width ?? 120,
  };
  return fit(
    cliProgress.Format.Formatter(options, params, payloadOf({ rowsPerSecond: 50, rateLimited: 0, retries: 0, ...stats }, o.color ?? false)),
    (o.width ?? 120) - 1,
  );
}

describe('the bar, drawn by cli-progress', () => {
  it('a known total: bar, percent, count of ~total, rate, 429s, retries and the ETA', () => {
    const l = line({ known: true }, { value: 500, total: 1000, etaSeconds: 10 }, { rateLimited: 3, retries: 7 });
    expect(l).toMatch(/^█+░+ {2}50% \| 500\/~1,000 rows \| 50 rows\/s \| 429s 3 \| retries 7 \| ETA 10s$/);
    expect(l.match(/█/g)).toHaveLength(l.match(/░/g)!.length);
  });

  it('an unknown total (stdin): the count, the rate and the time so far, no bar and no ETA', () => {
    const l = line({ known: false }, { value: 1234, total: 0, etaSeconds: 'NULL', elapsedSeconds: 75 }, { rowsPerSecond: 2.25 });
    expect(l).toBe('1,234 rows | 2.3 rows/s | 429s 0 | retries 0 | 1m 15s elapsed');
  });

  it('an ETA not known yet reads --, and durations are written as the summary writes them', () => {
    expect(line({ known: true }, { value: 500, total: 1000, etaSeconds: 'INF' })).toMatch(/ETA --$/);
    expect(line({ known: true }, { value: 500, total: 1000, etaSeconds: 3725 })).toMatch(/ETA 1h 02m$/);
    expect(formatDuration(9)).toBe('9s');
    expect(formatDuration(75)).toBe('1m 15s');
    expect(formatDuration(3725)).toBe('1h 02m');
  });

  it('never exceeds the width, and has no bar on a narrow terminal', () => {
    for (const width of [40, 60, 80, 100, 120]) {
      const l = line({ known: true, width }, { value: 12_345, total: 100_000, etaSeconds: 71 }, { rowsPerSecond: 1234, rateLimited: 12, retries: 40 });
      expect(l.length).toBeLessThan(width);
    }
    expect(line({ known: true, width: 80 }, { value: 500, total: 1000, etaSeconds: 10 })).toMatch(/^ 50% \| 500/);
  });

  it('colours only when asked: the bar, and 429s and retries when there are any', () => {
    expect(line({ known: true }, { value: 500, total: 1000, etaSeconds: 10 }, { rateLimited: 1 })).not.toMatch(ANSI);
    const coloured = line({ known: true, color: true }, { value: 500, total: 1000, etaSeconds: 10 }, { rateLimited: 1 });
    expect(coloured).toContain('\x1b[36m');
    expect(coloured).toContain('429s \x1b[33m1\x1b[39m');
    expect(coloured).toContain('retries 0');
    // The visible text is the same.
    expect(coloured.replace(/\x1b\[\d+m/g, '')).toBe(line({ known: true }, { value: 500, total: 1000, etaSeconds: 10 }, { rateLimited: 1 }));
  });

  it('the pace is the recent rate, not the average since the start', () => {
    const pace = new Pace(0, 10_000);
    // 100 rows/s for 20 s, then 10 rows/s for 10 s.
    let done = 0;
    for (let t = 1000; t <= 20_000; t += 1000) pace.add(t, (done += 100));
    for (let t = 21_000; t <= 30_000; t += 1000) pace.add(t, (done += 10));
    expect(pace.rowsPerSecond(30_000, done)).toBeCloseTo(10, 0);
    expect(new Pace(0).rowsPerSecond(1000, 50)).toBe(50); // too early for a window: the average
  });
});

describe('colours', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true };
  it('on a terminal unless NO_COLOR or TERM=dumb; FORCE_COLOR wins over both, and colours a pipe; FORCE_COLOR=0 turns them off', () => {
    expect(colorWanted(tty, {})).toBe(true);
    expect(colorWanted(pipe, {})).toBe(false);
    expect(colorWanted(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colorWanted(tty, { NO_COLOR: '' })).toBe(true);
    expect(colorWanted(tty, { TERM: 'dumb' })).toBe(false);
    expect(colorWanted(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorWanted(pipe, { FORCE_COLOR: '' })).toBe(true);
    expect(colorWanted(tty, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colorWanted(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorWanted(tty, { FORCE_COLOR: 'false' })).toBe(false);
  });
});

describe('estimateRecords', () => {
  it('counts non-empty lines, minus the CSV header, with or without a final line break or CRLF', async () => {
    const dir = tempDir();
    expect(await estimateRecords(writeTemp(dir, 'a.csv', 'id,name\n1,a\n2,b\n'), 'csv')).toBe(2);
    expect(await estimateRecords(writeTemp(dir, 'b.csv', 'id,name\r\n1,a\r\n\r\n2,b'), 'csv')).toBe(2);
    expect(await estimateRecords(writeTemp(dir, 'c.ndjson', '{"a":1}\n\n{"a":2}\n{"a":3}'), 'ndjson')).toBe(3);
    expect(await estimateRecords(writeTemp(dir, 'd.csv', ''), 'csv')).toBe(0);
    expect(await estimateRecords(`${dir}/missing.csv`, 'csv')).toBeNull();
    // A compressed file's bytes tell nothing of its lines: no total, rather than a wrong one.
    expect(await estimateRecords(writeTemp(dir, 'e.csv.gz', gzipSync('id\n1\n2\n')), 'csv')).toBeNull();
  });
});

describe('the bar in a run', () => {
  let sb: Sandbox;
  let env: Record<string, string>;
  let file: string;
  beforeAll(async () => {
    sb = await createSandbox({ rateLimit: FAST_RATE });
    env = sandboxEnv(sb);
    file = writeTemp(tempDir(), 'a.csv', 'externalId,name\na,A\nb,B\nc,C\n');
  });
  afterAll(() => sb.close());
  beforeEach(() => sb.reset());

  /** The CLI in-process, with stdout and stderr claiming to be a terminal. */
  async function onTerminal(args: string[], extraEnv: Record<string, string> = {}, stdoutIsTTY = true) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (stdout += s), ...(stdoutIsTTY ? { isTTY: true } : {}) },
      stderr: { write: (s: string) => (stderr += s), isTTY: true },
      stdin: Readable.from([]),
      env: { ...env, ...extraEnv },
      signals: false,
    };
    const code = await main(['push', file, '--object', 'account', '--no-state', ...args], io);
    return { code, stdout, stderr };
  }

  it('is absent when stderr is not a terminal (cron, CI, a pipe)', async () => {
    const r = await runCli(['push', file, '--object', 'account'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).not.toContain('rows/s |');
  });

  it('is drawn on stderr on a terminal, cleared before the summary, and result lines clear it first', async () => {
    const r = await onTerminal([]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rows/s | 429s 0 | retries 0');
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(r.stdout).toContain('Done: 3 rows');
    expect(r.stdout).not.toContain('rows/s |');
  });

  it('is drawn when stderr is a terminal and the results go to a file (push big.csv > out.txt)', async () => {
    const r = await onTerminal([], {}, false);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('rows/s | 429s 0 | retries 0');
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
    // The file gets the results alone: no bar, no terminal codes.
    expect(r.stdout).toContain('Done: 3 rows');
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stdout).not.toContain('rows/s |');
  });

  it('is absent with --json or --quiet, or with TERM=dumb', async () => {
    for (const flag of ['--json', '--quiet']) {
      const r = await onTerminal([flag]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(progressWanted({ stderr: { write: () => true, isTTY: true }, env: { TERM: 'dumb' } }, { json: false, quiet: false })).toBe(false);
  });

  it('has no colour with NO_COLOR', async () => {
    const plain = await onTerminal([], { NO_COLOR: '1' });
    expect(plain.stderr).toContain('rows/s');
    expect(plain.stderr).not.toMatch(/\x1b\[(36|33|2|22|39)m/);
  });
});

describe('the bar over a run', () => {
  it('a file: once its records are counted, the bar with a total and an ETA replaces the count', async () => {
    let written = '';
    const stderr = { write: (s: string) => ((written += s), true), isTTY: true, columns: 120 };
    const file = writeTemp(tempDir(), 'c.csv', 'externalId\na\nb\nc\n');
    const progress = startProgress({ stderr, env: { NO_COLOR: '1' } }, { input: file, format: 'csv', stats: () => ({ rateLimited: 2, retries: 1 }) });
    try {
      expect(written).toMatch(/^\r0 rows \| 0\.0 rows\/s \| 429s 2 \| retries 1 \| 0s elapsed/);
      progress.tick();
      await vi.waitFor(() => expect(written).toMatch(/░+ {2}33% \| 1\/~3 rows \| [\d.]+ rows\/s \| 429s 2 \| retries 1 \| ETA /), { timeout: 5000 });
    } finally {
      progress.stop();
    }
    expect(written.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('the wrapped output while the bar is shown', () => {
  it('keeps backpressure: write answers as the stream does, and once() is forwarded so the renderer waits for drain', async () => {
    const stream = new EventEmitter() as EventEmitter & Out;
    let full = true;
    let written = '';
    stream.write = (s: string) => {
      written += s;
      return !full;
    };
    stream.isTTY = true;
    const stderr = { write: () => true, isTTY: true };
    const progress = startProgress({ stderr, env: {} }, { input: '-', format: 'csv', stats: () => undefined });
    try {
      const out = progress.around(stream);
      expect(typeof out.once).toBe('function');
      expect(out.write('a\n')).toBe(false);
      full = false;
      expect(out.write('b\n')).toBe(true);
      expect(written).toBe('a\nb\n');

      // The renderer sees the congestion through the wrapper and waits until the stream drains.
      full = true;
      const render = createRenderer(out, true, false);
      render.summary({ rows: 0 } as never);
      const congested = render.ready();
      expect(congested).toBeInstanceOf(Promise);
      let drained = false;
      void congested!.then(() => (drained = true));
      await new Promise((r) => setImmediate(r));
      expect(drained).toBe(false);
      stream.emit('drain');
      await congested;
      expect(drained).toBe(true);
      expect(render.ready()).toBeUndefined();
    } finally {
      progress.stop();
    }
  });
});
