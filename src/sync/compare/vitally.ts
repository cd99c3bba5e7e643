/**
 * `--compare vitally`: the workspace's records of the type are listed once, before the first row (100 a
 * request, sorted by creation so a record changed meanwhile keeps its place; accounts with
 * `status=activeOrChurned`), into the run's scratch space (src/state/scratch.ts: memory stays flat).
 * Then each row is judged against the record with its key:
 * - none: the record is new, and is created at once (POST, no PUT answered 404 first);
 * - one that already holds every field, trait and link the row sends: skipped as unchanged (and the
 *   state store told it is in place);
 * - one that differs: sent (a PUT), with what the listing showed of it;
 * - a key Vitally holds twice: sent, addressed by its key as without a listing.
 * When in doubt the row is sent: a false "changed" costs a request, a false "unchanged" would lose data.
 */
import { parseInstant } from '../../mapping/coerce.js';
import type { MappedRecord, ObjectSpec } from '../../objects/index.js';
import type { Scratch } from '../../state/scratch.js';
import { failed } from '../../transport/outcome.js';
import type { Found } from '../../transport/transport.js';
import type { RowChange } from '../../types.js';
import type { Sender } from '../../vitally/sender.js';
import { listAll } from '../listing.js';
import { readRecord, sameValue, type VitallyRecord } from '../records.js';
import type { KnownIds, Resolver } from '../resolve.js';
import type { Candidate, Comparison, Verdict } from './comparison.js';
import { Expectations, isRowError } from './expected.js';

export interface ListContext {
  spec: ObjectSpec;
  lister: Sender;
  scratch: Scratch;
  /** How a write treats a user's links (add, replace). */
  links: 'add' | 'replace';
  ids: KnownIds;
  resolver: Resolver;
  /** Keep what each row would change (a dry run shows it). */
  changes: boolean;
  /** Stop listing past this many records: the listing would cost more than it saves (a run's own choice). */
  budget?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Records listed so far, after each page. */
  onProgress?: ((listed: number) => void) | undefined;
}

/** The path that lists every record of the type, 100 a page, oldest changes first to last. */
export function scanPath(spec: ObjectSpec, sortBy: 'createdAt' | 'updatedAt'): string {
  const query = spec.scan?.query ? `&${spec.scan.query}` : '';
  return `${spec.path}?limit=100&sortBy=${sortBy}${query}`;
}

/** A record's last change, in milliseconds (null when the answer does not say). */
export function updatedAt(r: VitallyRecord): number | null {
  return parseInstant(r.fields.updatedAt as string | number | undefined)?.getTime() ?? null;
}

/** What the transport is told of a record the listing holds, for a row that sends `record`. */
export function foundOf(spec: ObjectSpec, r: VitallyRecord, record: MappedRecord): Found {
  const unchanged = Object.keys(spec.fields).filter((k) => k !== spec.key && record[k] !== undefined && sameValue(record[k], r.fields[k]));
  return {
    id: r.id,
    links: { accounts: r.accounts.map((l) => l.id), organizations: r.organizations.map((l) => l.id) },
    unchanged,
  };
}

/** The normal form kept of a listed record: its id, the spec's fields, traits and links. */
export function kept(spec: ObjectSpec, r: VitallyRecord): string {
  const fields: Record<string, unknown> = {};
  for (const name of Object.keys(spec.fields)) if (r.fields[name] !== undefined) fields[name] = r.fields[name];
  return JSON.stringify({ id: r.id, externalId: r.externalId, fields, traits: r.traits, accounts: r.accounts, organizations: r.organizations });
}

/**
 * List the workspace into the scratch space. The comparison, or (past `budget` records) the number of
 * records read when the listing was given up.
 */
export async function listWorkspace(ctx: ListContext): Promise<VitallyComparison | { gaveUp: number }> {
  let listed = 0;
  let pages = 0;
  let newest: number | null = null;
  for await (const page of listAll(ctx.lister, scanPath(ctx.spec, 'createdAt'))) {
    pages++;
    const rows: Array<[string, string | null, string]> = [];
    for (const item of page) {
      const r = readRecord(item);
      if (!r?.externalId) continue;
      rows.push([r.externalId, r.id, kept(ctx.spec, r)]);
      // Linked records named by the customer's ids (the live shape embeds them): no look-up needed later.
      for (const l of r.accounts) if (l.externalId) ctx.ids.learn('account', l.externalId, l.id);
      for (const l of r.organizations) if (l.externalId) ctx.ids.learn('organization', l.externalId, l.id);
      const at = updatedAt(r);
      if (at !== null && (newest === null || at > newest)) newest = at;
    }
    ctx.scratch.list(rows);
    listed += page.length;
    ctx.onProgress?.(listed);
    if (ctx.budget !== undefined && listed > ctx.budget) return { gaveUp: listed };
    if (ctx.signal?.aborted) break;
  }
  return new VitallyComparison(ctx, pages, newest);
}

export class VitallyComparison implements Comparison {
  readonly name = 'vitally';
  private readonly expect: Expectations;

  constructor(
    private readonly ctx: ListContext,
    private readonly pages: number,
    /** The latest change among the records listed (Vitally's clock), for --verify. */
    readonly newest: number | null,
  ) {
    this.expect = new Expectations(ctx.spec, ctx.links, ctx.ids, ctx.resolver);
  }

  get expectations(): Expectations {
    return this.expect;
  }

  judge(c: Candidate): Verdict | Promise<Verdict> {
    const hit = this.ctx.scratch.listed(c.key);
    if (!hit) {
      const change: RowChange | undefined = this.ctx.changes ? { kind: 'new', fields: this.expect.created(c.record, c.refs) } : undefined;
      return { kind: 'send', found: null, ...(change ? { change } : {}) };
    }
    // Two records hold the key: nothing tells which one a PUT by externalId reaches, so the row goes.
    if (hit.twice) return { kind: 'send', found: { id: null } };
    const rec = JSON.parse(hit.record) as VitallyRecord;
    const settle = (d: RowChange['fields'] | Error): Verdict => {
      if (isRowError(d)) return { kind: 'fail', outcome: failed(d, 'invalid') };
      if (d instanceof Error) throw d;
      if (d.length === 0) return { kind: 'unchanged', id: rec.id, seen: true };
      return { kind: 'send', found: foundOf(this.ctx.spec, rec, c.record), ...(this.ctx.changes ? { change: { kind: 'changed', fields: d } } : {}) };
    };
    const d = this.expect.differ(c.record, c.refs, rec);
    return d instanceof Promise ? d.then(settle) : settle(d);
  }

  summary() {
    const { listed, notInInput } = this.ctx.scratch.listedCounts();
    return { listed, listRequests: this.pages, notInInput };
  }
}
