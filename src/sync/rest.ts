/**
 * The REST transport: one record a request. A row's references are resolved to Vitally ids (resolve.ts),
 * its requests built with them, and its plan carried out (execute.ts). After the last row it mirrors
 * deletions (--delete-missing, mirror.ts).
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
    if (!sender) return planned(plannedRequests(row.plan.requests(placeholder)));
    return this.send(row, sender);
  }

  private async send(row: Carried<CheckedRow>, sender: Sender): Promise<Outcome> {
    try {
      const ids = await this.resolver!.idsFor(this.ctx.spec, row.refs);
      if (ids instanceof RowError) return failed(ids, 'invalid');
      return await execute(sender, this.ctx.spec, row.plan.requests(ids), { verifyFirst: row.inDoubt });
    } catch (err) {
      if (stopsRun(err)) this.ctx.onFatal(err);
      return failed(err);
    }
  }

  flush(): void {}
}
