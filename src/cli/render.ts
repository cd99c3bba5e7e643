/**
 * Rendering results: human lines or NDJSON, and the summary. The streams written to are redacted by the
 * CLI (secret-io.ts); the rejects file is the session's (src/api/rejects.ts).
 */
import { counted } from '../text.js';
import type { RowResult, Summary } from '../types.js';
import type { Out } from './io.js';

export interface Renderer {
  row(r: RowResult): void;
  summary(s: Summary): void;
  /** A promise while the output is congested (a slow pipe): wait for it before the next row. */
  ready(): Promise<void> | undefined;
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

export function humanLine(r: RowResult): string {
  // The error, or the note of a skipped row (interrupted, same content as an earlier row); else the id;
  // then what the row asked that Vitally did not do (a name it kept).
  const detail = r.error ?? (r.id ? `id ${r.id}` : '');
  const note = r.note ? (detail ? `; ${r.note}` : r.note) : '';
  return `${pad(`row ${r.row}`, 9)} ${pad(r.status, 7)} ${pad(r.action, 10)} ${pad(r.key ?? '-', 16)} ${pad(r.httpStatus === null ? '-' : String(r.httpStatus), 4)} ${detail}${note}`.trimEnd();
}

const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

/**
 * publicResult(r) as one JSON line, built directly: the hot path of a large --json run. A request body is
 * already JSON, so it goes in as it is (an object in the line), not escaped again as a string. `prefix`
 * starts the object (`"sync":"accounts",` under `run`).
 */
export function resultLine(r: RowResult, prefix = ''): string {
  let line = `{${prefix}"row":${r.row}`;
  if (r.line !== undefined) line += `,"line":${r.line}`;
  line += `,"key":${str(r.key)},"status":"${r.status}","action":"${r.action}","id":${str(r.id)},"httpStatus":${r.httpStatus ?? 'null'},"error":${str(r.error)}`;
  if (r.note !== undefined) line += `,"note":${str(r.note)}`;
  if (r.change) line += `,"change":${JSON.stringify(r.change)}`;
  if (r.requests) {
    let list = '';
    for (const q of r.requests) {
      const item = `{"method":"${q.method}","path":${JSON.stringify(q.path)}${q.body === undefined ? '' : `,"body":${q.body}`}}`;
      list = list === '' ? item : `${list},${item}`;
    }
    line += `,"requests":[${list}]`;
  }
  return `${line}}`;
}

const FROM: Record<NonNullable<Summary['traitTypes']>[number]['from'], string> = {
  map: ' (--map)',
  vitally: " (Vitally's type)",
  inferred: ' (from its values)',
  'as-read': '',
};

/** `mrr number (from its values)`, `renews -> nextRenewalDate date (Vitally's type)`, `zip as read`. */
function typeText(t: NonNullable<Summary['traitTypes']>[number]): string {
  const name = t.column === t.trait || t.column === `traits.${t.trait}` ? t.trait : `${t.column} -> ${t.trait}`;
  return `${name} ${t.type}${FROM[t.from]}`;
}

export function humanSummary(s: Summary): string {
  const actions = Object.entries(s.byAction)
    .map(([a, n]) => `${a} ${n}`)
    .join(', ');
  const lines = [
    `${s.interrupted ? 'Interrupted' : 'Done'}: ${s.rows} rows (${s.ok} ok, ${s.accepted ? `${s.accepted} accepted (not confirmed), ` : ''}${s.skipped} skipped, ${s.failed} failed)${actions ? `: ${actions}` : ''}`,
    `${s.requests} requests, ${s.retries} retries, ${s.rateLimited} rate-limited (429), ${(s.durationMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} rows/s`,
  ];
  if (s.traitTypes?.length) lines.push(`Trait types: ${s.traitTypes.map(typeText).join(', ')}`);
  for (const n of s.notes ?? []) lines.push(`Note: ${n}`);
  const c = s.compare;
  if (c && (c.with === 'vitally' || c.chosen.includes('Vitally holds more'))) {
    const listed =
      c.listed !== undefined
        ? `: ${counted(c.listed, 'record')} listed in ${counted(c.listRequests ?? 0, 'request')}, ${c.notInInput} of them not in the input`
        : '';
    lines.push(`Compared with ${c.with === 'vitally' ? 'Vitally' : c.with === 'state' ? 'the state store' : 'nothing'} (${c.chosen})${listed}`);
  }
  const v = s.verify;
  if (v) {
    lines.push(
      `Verified: ${v.landed} of ${v.rows} accepted rows found in Vitally${v.notLanded ? `, ${v.notLanded} not (failed: the next run sends them again)` : ''}, in ${(v.waitedMs / 1000).toFixed(1)} s and ${v.requests} requests`,
    );
  }
  for (const w of s.warnings ?? []) lines.push(`Warning: ${w}`);
  if (s.rejectsFile) lines.push(`Rejected rows written to ${s.rejectsFile}`);
  if (s.requestLog) lines.push(`Request log written to ${s.requestLog}`);
  return lines.join('\n');
}

/** `sync`: the config file's sync the run stands for (`run`): every JSON line names it. */
export function createRenderer(out: Out, json: boolean, quiet: boolean, sync?: string): Renderer {
  // Lines are gathered and written in chunks (a write per row costs more than the row itself on a large
  // file); a chunk goes out when it is large, or as soon as the current burst of results is done.
  // Lines wait in an array and are joined once per chunk: one flat string, rather than a rope of
  // thousands of small pieces that must be flattened when written.
  let lines: string[] = [];
  let size = 0;
  let scheduled = false;
  let congested: Promise<void> | undefined;
  const flush = () => {
    scheduled = false;
    if (lines.length === 0) return;
    lines.push('');
    const text = lines.join('\n');
    lines = [];
    size = 0;
    // Backpressure: when the output cannot keep up, the run waits instead of queueing results in memory.
    if (out.write(text) === false && out.once && !congested) {
      congested = new Promise((resolve) =>
        out.once!('drain', () => {
          congested = undefined;
          resolve();
        }),
      );
    }
  };
  const ready = () => {
    if (size >= 16 * 1024) flush();
    return congested;
  };
  const write = (text: string) => {
    lines.push(text);
    size += text.length + 1;
    if (size >= 64 * 1024) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const last = (text: string) => {
    write(text);
    flush();
  };
  if (json) {
    const prefix = sync === undefined ? '' : `"sync":${JSON.stringify(sync)},`;
    return {
      row: (r) => write(resultLine(r, prefix)),
      summary: (s) => last(JSON.stringify(sync === undefined ? { summary: s } : { sync, summary: s })),
      ready,
    };
  }
  return {
    row: (r) => {
      if (quiet && r.status !== 'failed') return;
      write(humanLine(r));
      for (const req of r.requests ?? []) {
        // The create of an upsert goes only when the record is not found: by its look-up, or by the PUT's 404.
        const found = r.requests![0]!.method === 'GET' ? 'the look-up finds none' : 'the PUT answers 404';
        const note = req.method === 'POST' && r.requests!.length > 1 ? `   (only if ${found})` : '';
        write(`    ${req.method} ${req.path}${req.body ? ` ${req.body}` : ''}${note}`);
      }
    },
    summary: (s) => last(humanSummary(s)),
    ready,
  };
}
