/**
 * `vitally-sync diff <input> --object <type>`: what a push of the input would change in the live
 * workspace, sending nothing. It is a dry run of the same push (the same settings, mapping and checks)
 * that compares every row with a listing of the workspace (--compare vitally), rendered as a diff:
 *
 *     ~ acme (row 1, id 0b6c…)
 *         traits.mrr: 1200 -> 1500
 *     + hooli (row 5)
 *         name: "Hooli"
 *     - umbrella (id 5e1f…): synced from this input before, not in it now
 *     ! row 6 (zzz): name: required to create
 *
 * then the counts. `-` lines come only with --delete-missing, and are exactly what push would delete:
 * the records the state store holds as synced from this input that it no longer holds (never records
 * Vitally got from elsewhere). Exit 0 when Vitally matches the input, 1 when it differs (or a row would
 * fail), as `git diff --exit-code`.
 */
import type { PushFlags } from '../config/push.js';
import { pushSources } from '../config/file-sources.js';
import { counted } from '../text.js';
import type { FieldChange, RowResult, Summary } from '../types.js';
import { EXIT, type CliIO, type Out } from './io.js';
import { pushWith, type View } from './push.js';
import type { Renderer } from './render.js';

export async function diffCommand(input: string | undefined, flags: PushFlags, io: CliIO): Promise<number> {
  // A dry run of the same push, compared with a listing of the workspace.
  const sources = pushSources({ ...flags, dryRun: true, compare: 'vitally' }, io.env, process.cwd());
  return pushWith(input, sources, io, false, diffView);
}

/** The counts of a diff. */
interface Counts {
  new: number;
  changed: number;
  delete: number;
  fail: number;
  unchanged: number;
}

type Kind = 'new' | 'changed' | 'delete' | 'fail' | 'unchanged' | null;

/** What a result of the dry run stands for in a diff. */
function kindOf(r: RowResult): Kind {
  if (r.status === 'failed') return 'fail';
  if (r.action === 'unchanged') return 'unchanged';
  if (r.row === 0 && r.requests?.some((q) => q.method === 'DELETE')) return 'delete';
  if (r.change) return r.change.kind;
  // Interrupted, or a row the listing could not judge (planned without a change): nothing to show.
  return null;
}

const value = (v: unknown): string => (v === undefined ? 'null' : JSON.stringify(v));

/** `traits.mrr: 1200 -> 1500`; a record to create shows its values only. */
function fieldLine(c: FieldChange, created: boolean): string {
  if (created) return `    ${c.field}: ${value(c.new)}`;
  // A date Vitally answers as epoch milliseconds is shown as the date it is too.
  const old =
    typeof c.old === 'number' && typeof c.new === 'string' && /^\d{4}-\d{2}-\d{2}/.test(c.new) && c.old > 1e11
      ? `${c.old} (${new Date(c.old).toISOString()})`
      : value(c.old);
  return `    ${c.field}: ${old} -> ${value(c.new)}`;
}

function humanLines(r: RowResult, kind: Kind): string[] {
  const where = (row: boolean) => [row ? `row ${r.row}` : '', r.id ? `id ${r.id}` : ''].filter(Boolean).join(', ');
  switch (kind) {
    case 'new':
    case 'changed':
      return [`${kind === 'new' ? '+' : '~'} ${r.key} (${where(true)})`, ...(r.change?.fields ?? []).map((c) => fieldLine(c, kind === 'new'))];
    case 'delete':
      return [`- ${r.key}${r.id ? ` (id ${r.id})` : ''}: synced from this input before, not in it now`];
    case 'fail':
      return [`! row ${r.row}${r.key ? ` (${r.key})` : ''}: ${r.error}`];
    default:
      return [];
  }
}

function jsonLine(r: RowResult, kind: Kind): string | null {
  if (kind === null || kind === 'unchanged') return null;
  const base = { diff: kind, ...(r.row > 0 ? { row: r.row } : {}), key: r.key, id: r.id };
  if (kind === 'fail') return JSON.stringify({ ...base, error: r.error });
  if (kind === 'delete') return JSON.stringify(base);
  return JSON.stringify({ ...base, fields: r.change?.fields ?? [] });
}

function countsLine(n: Counts, s: Summary): string {
  const c = s.compare;
  const listed = c?.listed !== undefined ? `; ${counted(c.listed, 'record')} listed in ${counted(c.listRequests ?? 0, 'request')}` : '';
  const rows = `${s.rows - n.delete} rows`;
  if (n.new + n.changed + n.delete + n.fail === 0) return `Vitally matches the input: ${n.unchanged} unchanged (${rows}${listed})`;
  const parts = [`${n.new} new`, `${n.changed} changed`, ...(n.delete ? [`${n.delete} to delete`] : []), ...(n.fail ? [`${n.fail} would fail`] : [])];
  return `Vitally differs from the input: ${parts.join(', ')}; ${n.unchanged} unchanged (${rows}${listed})`;
}

/** The diff's renderer: lines (or NDJSON objects with --json), the counts, and the exit code. */
export const diffView: View = (out: Out, cfg): Renderer & { exitCode(summary: Summary): number } => {
  const n: Counts = { new: 0, changed: 0, delete: 0, fail: 0, unchanged: 0 };
  let counted = false;
  return {
    row: (r) => {
      const kind = kindOf(r);
      if (kind) n[kind]++;
      if (cfg.json) {
        const line = jsonLine(r, kind);
        if (line) out.write(`${line}\n`);
      } else if (!cfg.quiet || kind === 'fail') {
        for (const line of humanLines(r, kind)) out.write(`${line}\n`);
      }
    },
    summary: (s) => {
      counted = true;
      if (cfg.json) {
        const c = s.compare;
        out.write(
          `${JSON.stringify({ summary: { ...n, rows: s.rows - n.delete, listed: c?.listed, listRequests: c?.listRequests, notInInput: c?.notInInput, requests: s.requests, warnings: s.warnings } })}\n`,
        );
      } else {
        out.write(`${countsLine(n, s)}\n`);
        for (const w of s.warnings ?? []) out.write(`Warning: ${w}\n`);
      }
    },
    ready: () => undefined,
    exitCode: () => (counted && n.new + n.changed + n.delete + n.fail === 0 ? EXIT.ok : EXIT.rowsFailed),
  };
};
