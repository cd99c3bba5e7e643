/**
 * Analytics work not yet applied. With analyticsApply 'at-once' the work runs as it is handed over
 * (before the answer); with 'deferred' it runs analyticsDelayMs later (0: the next turn of the event
 * loop), in the order received, or when flush() is called. settled() resolves once nothing is waiting; an error thrown by deferred
 * work (a sandbox bug: at once it would be a 500) rejects it instead of ending the process.
 */

import type { BehaviourOptions } from './profiles.js';

export class AnalyticsQueue {
  /** Work waiting, in the order received. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }> = [];
  private failure: unknown = null;

  constructor(private readonly options: () => Pick<BehaviourOptions, 'analyticsApply' | 'analyticsDelayMs'>) {}

  defer(apply: () => void): void {
    const { analyticsApply, analyticsDelayMs } = this.options();
    if (analyticsApply === 'at-once') {
      apply();
      return;
    }
    const t = setTimeout(() => this.run(t), analyticsDelayMs);
    this.timers.set(t, apply);
  }

  /** Apply everything waiting now, in order. */
  flush(): void {
    for (const t of [...this.timers.keys()]) {
      clearTimeout(t);
      this.run(t);
    }
  }

  settled(): Promise<void> {
    if (this.timers.size === 0) return this.outcome();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Forget the waiting work (reset, close); whoever waits for it is released. */
  cancel(): void {
    for (const t of this.timers.keys()) clearTimeout(t);
    this.timers.clear();
    this.wake();
  }

  private run(t: NodeJS.Timeout): void {
    const apply = this.timers.get(t);
    this.timers.delete(t);
    try {
      apply?.();
    } catch (err) {
      this.failure ??= err;
    }
    if (this.timers.size === 0) this.wake();
  }

  private outcome(): Promise<void> {
    const failure = this.failure;
    this.failure = null;
    return failure === null ? Promise.resolve() : Promise.reject(failure);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    const failure = this.failure;
    this.failure = null;
    for (const w of waiters) {
      if (failure === null) w.resolve();
      else w.reject(failure);
    }
  }
}
