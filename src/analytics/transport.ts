/**
 * The Analytics transport: a row becomes Analytics API messages (messages.ts), which travel in /batch
 * requests of up to 100 (batcher.ts); each row's outcome is its batch's. For users it keeps track of
 * the account links sent, and after the last row takes back the ones that left the input
 * (--unlink-removed), since the Analytics API adds links but never removes them.
 */
import { RowError } from '../errors.js';
import type { MappedRecord, Refs } from '../objects/index.js';
import type { Outcome } from '../transport/outcome.js';
import type { Carried, FollowUp, Transport, TransportContext, TransportKind } from '../transport/transport.js';
import type { RowResult } from '../types.js';
import { Batcher, type BatchResult } from './batcher.js';
import { planMessages, unlinkMessage, type Message } from './messages.js';

export const analyticsTransport: TransportKind = {
  name: 'analytics',
  api: 'analytics',
  // Vitally's Analytics API creates or updates: there is no insert-only or update-only message.
  modes: ['upsert'],
  // Batches need room: enough rows for one batch per request in flight, and one filling.
  window: ({ concurrency, batchSize }) => batchSize * (concurrency + 1),
  create: (ctx) => new AnalyticsTransport(ctx),
};

/**
 * A batch's outcome as its rows' outcome. A 200 from the Analytics API says nothing of any one message
 * (Vitally may still drop it), so a row it took is `accepted`, never `ok`; a dry run's stays `planned`.
 */
const withRequest = ({ outcome, request }: BatchResult): Outcome => {
  const o: Outcome = outcome.status === 'ok' && outcome.action !== 'planned' ? { ...outcome, status: 'accepted' } : outcome;
  return request ? { ...o, requests: [request] } : o;
};

class AnalyticsTransport implements Transport<Message[]> {
  private readonly batcher: Batcher;
  /** The reference column whose values are links --unlink-removed may take back (users: accounts). */
  private readonly links: string | undefined;
  readonly followUps: FollowUp[];

  constructor(private readonly ctx: TransportContext) {
    const sender = ctx.sender;
    this.batcher = new Batcher(sender ? (req) => sender.send(req) : null, ctx.batchSize, (err) => ctx.onFatal(err), ctx.inputMayPause ? 200 : null);
    this.links = ctx.spec.analytics?.links;
    this.followUps = ctx.unlinkRemoved ? [this.unlinks()] : [];
  }

  plan(record: MappedRecord, refs: Refs): Message[] {
    const messages = planMessages(this.ctx.spec, record, refs, this.ctx.runId);
    if (messages.length > this.ctx.batchSize) {
      throw new RowError(
        'ROW_INVALID',
        `${messages.length} account and organization links, more than one batch holds (--batch-size ${this.ctx.batchSize}): send this user with --via rest`,
      );
    }
    return messages;
  }

  read(key: string, refs: Refs): void {
    if (this.links) this.ctx.state?.linksRead(key, refs[this.links] ?? []);
  }

  /** Analytics messages carry stable messageIds: a row in doubt is simply sent again. */
  async carry(row: Carried<Message[]>): Promise<Outcome> {
    const outcome = withRequest(await this.batcher.submit(row.plan));
    if (outcome.status === 'accepted' && this.links && row.key !== null) this.ctx.state?.linksSent(row.key, row.refs[this.links] ?? []);
    return outcome;
  }

  flush(): void {
    this.batcher.flush();
  }

  /** --unlink-removed: unlink each user from the accounts its row no longer names (/unlink messages, batched). */
  private unlinks(): FollowUp {
    return {
      flag: '--unlink-removed',
      needs: 'it knows which links were sent',
      nothing: 'nothing was unlinked',
      start: (state) => state.removedLinks().map((l) => this.unlinkOne(l.userId, l.accountId)),
    };
  }

  private async unlinkOne(userId: string, accountId: string): Promise<RowResult> {
    const outcome = withRequest(await this.batcher.submit([unlinkMessage(userId, accountId, this.ctx.runId)]));
    const sent = outcome.status === 'accepted';
    if (sent) this.ctx.state!.forgetLink(userId, accountId);
    return { row: 0, key: `${userId}|${accountId}`, ...outcome, action: sent ? 'unlinked' : outcome.action };
  }
}
