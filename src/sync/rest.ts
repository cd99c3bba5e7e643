/**
 * The REST transport: one record a request. A row's references are resolved to Vitally ids (resolve.ts),
 * its requests built with them, and its plan carried out (execute.ts). A record of a type that may exist
 * already (spec.existing: a conversation) is first looked for, by the state store's id for its key, else
 * like a reference of its kind; what is created or found is remembered for later rows and runs. After the
 * last row it mirrors deletions (--delete-missing, mirror.ts).
 */
import { RowError, stopsRun } from '../errors.js';
import type { MappedRecord, Refs } from '../objects/index.js';
import { checkRow, plannedRequests, type CheckedRow } from '../plan/plan.js';
import { placeholder } from '../plan/refs.js';
import { failed, planned, type Outcome } from '../transport/outcome.js';
import type { Carried, FollowUp, Transport, TransportContext, TransportKind } from '../transport/transport.js';
import type { Sender } from '../vitally/sender.js';
import { execute } from './execute.js';
import { deletions } from './mirror.js';
import { Resolver } from './resolve.js';

export const restTransport: TransportKind = {
  name: 'rest',
  api: 'rest',
  modes: ['insert', 'upsert', 'update'],
  // Enough rows to keep every connection busy while a slow answer holds the head of the window.
  window: ({ concurrency }) => Math.max(64, concurrency * 16),
  create: (ctx) => new RestTransport(ctx),
};

class RestTransport implements Transport<CheckedRow> {
  private readonly resolver: Resolver | undefined;
  readonly followUps: FollowUp[];

  constructor(private readonly ctx: TransportContext) {
    // The state store keeps the ids found across runs.
    this.resolver = ctx.sender ? new Resolver(ctx.sender, ctx.state) : undefined;
    this.followUps = ctx.deleteMissing ? [deletions(ctx, ctx.deleteMissing)] : [];
  }

  plan(record: MappedRecord, refs: Refs): CheckedRow {
    return checkRow(this.ctx.spec, this.ctx.mode, record, refs, this.ctx.match);
  }

  carry(row: Carried<CheckedRow>): Outcome | Promise<Outcome> {
    const sender = this.ctx.sender;
    // A dry run shows what the state store knows: a conversation sent before gets its message appended.
    if (!sender) return planned(plannedRequests(row.plan.requests(placeholder, this.knownId(row.key))));
    return this.send(row, sender);
  }

  /** The Vitally id the state store holds for a record that may exist already (spec.existing). */
  private knownId(key: string | null): string | undefined {
    const existing = this.ctx.spec.existing;
    if (!existing || key === null) return undefined;
    return this.ctx.state?.lastSent(key)?.vitallyId ?? this.ctx.state?.get(existing.ref, key) ?? undefined;
  }

  private async send(row: Carried<CheckedRow>, sender: Sender): Promise<Outcome> {
    const { spec } = this.ctx;
    try {
      const ids = await this.resolver!.idsFor(spec, row.refs);
      if (ids instanceof RowError) return failed(ids, 'invalid');
      const existing = spec.existing && row.key !== null ? (this.knownId(row.key) ?? (await this.resolver!.resolve(spec.existing.ref, row.key))) : null;
      const outcome = await execute(sender, spec, row.plan.requests(ids, existing ?? undefined), { verifyFirst: row.inDoubt });
      if (spec.existing && row.key !== null && outcome.status === 'ok' && outcome.id) this.resolver!.remember(spec.existing.ref, row.key, outcome.id);
      return outcome;
    } catch (err) {
      if (stopsRun(err)) this.ctx.onFatal(err);
      return failed(err);
    }
  }

  flush(): void {}
}
