/**
 * Packing messages into /analytics/v1/batch requests of up to `size` messages, one row's messages always
 * in the same batch. Results stay per row. Batches go out as they fill, without waiting for the ones
 * before: the sender's pacer decides how many are in flight, as for REST requests. A batch answered 400
 * is split in halves, sent side by side, until the rows Vitally refuses are isolated; each fails alone
 * with Vitally's message. A message type refused
 * every time it is sent on its own (a type the workspace blocks) stops the run instead of bisecting on.
 */
import { ApiError, ConfigError, stopsRun, type VitallySyncError } from '../errors.js';
import { failed, planned, succeeded, type Outcome } from '../transport/outcome.js';
import type { PlannedRequest } from '../types.js';
import type { HttpResponse } from '../vitally/http.js';
import type { Message } from './messages.js';

/** A message's type: track, account, organization, user, unlink. */
type MessageType = string;

export const BATCH_PATH = '/analytics/v1/batch';
export const MAX_BATCH = 100;

export interface BatchResult {
  outcome: Outcome;
  /** The batch request, on the first row of each batch (what dry-run prints). */
  request?: PlannedRequest;
}

interface Item {
  messages: Message[];
  resolve: (r: BatchResult) => void;
}

/** How many rows of a type, every one refused on its own and none accepted, make the type count as blocked. */
const BLOCKED_AFTER = 3;

export class Batcher {
  private pending: Item[] = [];
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly accepted = new Set<MessageType>();
  requests = 0;
  /** Rows of a type refused one by one in batches where no row of that type was accepted. */
  private readonly refusedWhole = new Map<MessageType, number>();
  /** Set once the run must stop: nothing more is sent. */
  private stoppedBy: VitallySyncError | undefined;

  /**
   * @param send sends one request (paced and retried), or null on a dry run
   * @param onFatal called once with an error that must stop the run (bad token, blocked type)
   */
  constructor(
    private readonly send: ((req: PlannedRequest) => Promise<HttpResponse>) | null,
    private readonly size: number,
    private readonly onFatal: (err: VitallySyncError) => void,
    /** With input that may pause (stdin): send a batch still filling after this long; null: never. */
    private readonly idleMs: number | null = 200,
  ) {}

  submit(messages: Message[]): Promise<BatchResult> {
    return new Promise((resolve) => {
      if (this.count + messages.length > this.size) this.flush();
      this.pending.push({ messages, resolve });
      this.count += messages.length;
      if (this.count >= this.size) this.flush();
      else this.arm();
    });
  }

  /** Send what is waiting now (the reader is about to wait, or the input ended). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.count = 0;
    void this.dispatch(items, true);
  }

  /**
   * Slow input (stdin) must not hold rows back: send after a short idle time. A file never pauses: its
   * batches fill, and the run flushes the last one (and any the window waits on).
   */
  private arm(): void {
    if (this.idleMs === null) return;
    // Armed once per batch: rows arriving steadily must not push the send back forever.
    this.timer ??= setTimeout(() => this.flush(), this.idleMs);
  }

  private request(items: Item[]): PlannedRequest {
    return { method: 'POST', path: BATCH_PATH, body: JSON.stringify(items.flatMap((i) => i.messages)) };
  }

  /**
   * Send one batch (`whole`: as packed, not a half of one). Once a whole batch is settled, a message
   * type whose every row in it was refused on its own, and which Vitally never accepted in this run, is
   * taken for a type the workspace blocks (decided only then: bad rows first in a file are not enough).
   */
  private async dispatch(items: Item[], whole: boolean): Promise<void> {
    const refused = new Map<MessageType, number>();
    let lastRefusal: ApiError | undefined;
    const onRefused = (item: Item, err: ApiError) => {
      lastRefusal = err;
      for (const type of new Set(item.messages.map((m) => m.type))) refused.set(type, (refused.get(type) ?? 0) + 1);
    };
    await this.attempt(items, whole, onRefused);
    if (!lastRefusal) return;
    for (const [type, n] of refused) {
      const rows = items.filter((i) => i.messages.some((m) => m.type === type)).length;
      if (n !== rows || this.accepted.has(type)) continue;
      // Counted across batches, so small batches (a slow stdin, a small --batch-size) add up too.
      const total = (this.refusedWhole.get(type) ?? 0) + n;
      this.refusedWhole.set(type, total);
      if (total >= BLOCKED_AFTER) return this.blocked(type, lastRefusal);
    }
  }

  private async attempt(items: Item[], whole: boolean, onRefused: (item: Item, err: ApiError) => void): Promise<void> {
    if (this.stoppedBy) {
      for (const item of items) item.resolve({ outcome: failed(this.stoppedBy) });
      return;
    }
    const req = this.request(items);
    if (!this.send) {
      items.forEach((item, i) => item.resolve({ outcome: planned(), ...(i === 0 && whole ? { request: req } : {}) }));
      return;
    }
    try {
      this.requests++;
      const res = await this.send(req);
      for (const item of items) for (const m of item.messages) this.accepted.add(m.type);
      for (const item of items) item.resolve({ outcome: succeeded('accepted', res.status) });
    } catch (err) {
      if (stopsRun(err)) {
        this.stop(err);
        for (const item of items) item.resolve({ outcome: failed(err) });
        return;
      }
      const splittable = err instanceof ApiError && (err.status === 400 || err.status === 413 || err.status === 422);
      if (!splittable) {
        for (const item of items) item.resolve({ outcome: failed(err) });
        return;
      }
      const types = new Set(items.flatMap((i) => i.messages.map((m) => m.type)));
      if (types.size === 1 && /\bblock/i.test((err as ApiError).detail)) {
        // Vitally says the type is blocked and the batch holds nothing else: no split can help.
        this.blocked([...types][0]!, err as ApiError);
        for (const item of items) item.resolve({ outcome: failed(err) });
        return;
      }
      if (items.length > 1) {
        const half = Math.ceil(items.length / 2);
        // Side by side, paced and retried like every other request.
        await Promise.all([this.attempt(items.slice(0, half), false, onRefused), this.attempt(items.slice(half), false, onRefused)]);
        return;
      }
      onRefused(items[0]!, err as ApiError);
      items[0]!.resolve({ outcome: { ...failed(err), action: 'invalid' } });
    }
  }

  private blocked(type: MessageType, err: ApiError): void {
    this.stop(
      new ConfigError(
        `Vitally refused every "${type}" message sent (${err.status}: ${err.detail || 'no detail'}): the workspace seems to block this message type. Allow it in Vitally (Settings > Integrations > Analytics API), or send these rows with --via rest`,
      ),
    );
  }

  private stop(err: VitallySyncError): void {
    if (this.stoppedBy) return;
    this.stoppedBy = err;
    this.onFatal(err);
  }
}
