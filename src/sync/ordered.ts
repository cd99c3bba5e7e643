/**
 * Run row tasks concurrently while handing their results back in input order. At most `window` rows are
 * on their way at once (not settled yet), and at most HOLD times as many held in all (settled rows waiting
 * for an earlier one), so reading waits (backpressure) when the sender is the bottleneck. Rows settled at
 * once (skipped as unchanged, failed before sending) do not take the place of rows on their way: a batch
 * of the Analytics API fills up with the rows that differ even when most rows are skipped.
 */

interface Slot<T> {
  promise: Promise<T> | undefined;
  done: boolean;
  value?: T;
}

/** Settled rows held behind an unsettled one, per place of the window. */
const HOLD = 16;

export class OrderedWindow<T> {
  private readonly slots: Slot<T>[] = [];
  private pending = 0;

  constructor(private readonly window: number) {}

  get size(): number {
    return this.slots.length;
  }

  get full(): boolean {
    return this.pending >= this.window || this.slots.length >= this.window * HOLD;
  }

  /** Add a task's result, or the promise of it (which must never reject). */
  push(result: T | Promise<T>): void {
    if (!(result instanceof Promise)) {
      this.slots.push({ promise: undefined, done: true, value: result });
      return;
    }
    const slot: Slot<T> = { promise: result, done: false };
    this.pending++;
    result.then((v) => {
      slot.done = true;
      slot.value = v;
      this.pending--;
    });
    this.slots.push(slot);
  }

  /** Results at the head that are ready now, without waiting. */
  *ready(): Generator<T> {
    while (this.slots.length > 0 && this.slots[0]!.done) yield this.slots.shift()!.value as T;
  }

  /** Wait for the head's result. */
  async next(): Promise<T | undefined> {
    const head = this.slots.shift();
    if (!head) return undefined;
    return head.done ? (head.value as T) : head.promise;
  }
}
