/**
 * Run row tasks concurrently while handing their results back in input order. At most `window` rows
 * are held at once, so reading waits (backpressure) when the sender is the bottleneck.
 */

interface Slot<T> {
  promise: Promise<T>;
  done: boolean;
  value?: T;
}

export class OrderedWindow<T> {
  private readonly slots: Slot<T>[] = [];

  constructor(private readonly window: number) {}

  get size(): number {
    return this.slots.length;
  }

  get full(): boolean {
    return this.slots.length >= this.window;
  }

  /** Add a task's result promise (it must never reject). */
  push(promise: Promise<T>): void {
    const slot: Slot<T> = { promise, done: false };
    promise.then((v) => {
      slot.done = true;
      slot.value = v;
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
    return head ? head.promise : undefined;
  }
}
