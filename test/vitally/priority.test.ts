/**
 * The order in which waiting requests start: retries first, then a row's follow-up requests, then first
 * attempts; and what waits while the only request sent so far is between its attempts. On a fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InterruptedError, Pacer, type StartKind, type Ticket } from '../../src/vitally/pacer.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Ask for a start and note the order in which starts are given. */
function asker(pacer: Pacer) {
  const order: string[] = [];
  const tickets = new Map<string, Ticket>();
  /** Waiters still waiting when the pacer closed: refused, unsent. */
  const refused: string[] = [];
  const ask = (name: string, kind: StartKind = 'first') =>
    pacer.acquire(false, kind).then(
      (t) => {
        order.push(name);
        tickets.set(name, t);
        return t;
      },
      (err: unknown) => {
        if (!(err instanceof InterruptedError)) throw err;
        refused.push(name);
      },
    );
  return { order, tickets, ask, refused };
}

const OK = { status: 200, headers: {} };

describe('retries start first', () => {
  it('a retry starts before every first attempt that asked earlier, and a follow-up before those too', async () => {
    // One at a time (--concurrency 1), one start every 100 ms.
    const pacer = new Pacer({ ratePerMinute: 600, concurrency: 1 });
    const { order, tickets, ask } = asker(pacer);
    void ask('row 1');
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 2; i <= 6; i++) void ask(`row ${i}`);
    void ask('row 1, its POST after a 404', 'followUp');
    void ask('row 1, retried', 'retry');
    for (let i = 0; i < 9; i++) {
      await vi.advanceTimersByTimeAsync(100);
      const last = order.at(-1)!;
      pacer.release(tickets.get(last)!, i === 0 ? { status: 503, headers: {} } : OK);
    }
    expect(order).toEqual(['row 1', 'row 1, retried', 'row 1, its POST after a 404', 'row 2', 'row 3', 'row 4', 'row 5', 'row 6']);
    pacer.close();
  });

  it('with requests in flight, the next free slot goes to the retry', async () => {
    const pacer = new Pacer({ ratePerMinute: 60_000, concurrency: 4 });
    const { order, tickets, ask } = asker(pacer);
    void ask('a');
    await vi.advanceTimersByTimeAsync(100);
    pacer.release(tickets.get('a')!, OK); // the first answer, after 100 ms at 1 ms a start: 4 in flight (the ceiling)
    for (const name of ['b', 'c', 'd', 'e', 'f', 'g', 'h']) void ask(name);
    await vi.advanceTimersByTimeAsync(100);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
    void ask('b, retried', 'retry');
    pacer.release(tickets.get('c')!, OK);
    await vi.advanceTimersByTimeAsync(100);
    expect(order.slice(5)).toEqual(['b, retried']);
    pacer.close();
  });

  it('a retry does not wait for a free slot below the ceiling; first attempts do', async () => {
    const pacer = new Pacer({ ratePerMinute: 60_000, concurrency: 8 });
    const { order, tickets, ask, refused } = asker(pacer);
    void ask('a');
    await vi.advanceTimersByTimeAsync(1);
    pacer.release(tickets.get('a')!, OK); // answered in 1 ms, one start a ms: 3 in flight are enough
    expect(pacer.limit).toBe(3);
    for (const name of ['b', 'c', 'd', 'e', 'f']) void ask(name);
    await vi.advanceTimersByTimeAsync(50);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    void ask('b, retried', 'retry');
    await vi.advanceTimersByTimeAsync(50);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'b, retried']);
    expect(pacer.inFlight).toBe(4);
    pacer.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(refused).toEqual(['e', 'f']);
  });
});

describe('before any answer', () => {
  it('first attempts wait while the request sent is between its attempts, then go', async () => {
    const pacer = new Pacer({ ratePerMinute: 60_000, concurrency: 32 });
    const { order, tickets, ask } = asker(pacer);
    void ask('row 1');
    await vi.advanceTimersByTimeAsync(0);
    void ask('row 2');
    void ask('row 3');
    // Row 1's connection was refused: no answer, and it will be retried.
    pacer.hold();
    pacer.release(tickets.get('row 1')!);
    await vi.advanceTimersByTimeAsync(5000);
    expect(order).toEqual(['row 1']);
    void ask('row 1, retried', 'retry');
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['row 1', 'row 1, retried']);
    pacer.release(tickets.get('row 1, retried')!);
    await vi.advanceTimersByTimeAsync(5000);
    expect(order).toHaveLength(2);
    // Row 1 gave up; the others may try.
    pacer.unhold();
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(['row 1', 'row 1, retried', 'row 2']);
    pacer.close();
  });

  it('once something has answered, a request between attempts holds nothing back', async () => {
    const pacer = new Pacer({ ratePerMinute: 60_000, concurrency: 32 });
    const { order, tickets, ask } = asker(pacer);
    void ask('row 1');
    await vi.advanceTimersByTimeAsync(0);
    void ask('row 2');
    pacer.hold();
    pacer.release(tickets.get('row 1')!, { status: 503, headers: {} });
    await vi.advanceTimersByTimeAsync(10);
    expect(order).toEqual(['row 1', 'row 2']);
    pacer.close();
  });
});

describe('a halted sender', () => {
  it('has every waiting request refused at once, unsent; those in flight go on', async () => {
    const pacer = new Pacer({ ratePerMinute: 60, concurrency: 32 });
    const { tickets, ask } = asker(pacer);
    void ask('row 1');
    await vi.advanceTimersByTimeAsync(0);
    const waiting = [pacer.acquire(false), pacer.acquire(false, 'retry')];
    pacer.refuseWaiting('not sent: the run stopped');
    for (const w of waiting) await expect(w).rejects.toEqual(new InterruptedError('not sent: the run stopped'));
    expect(pacer.inFlight).toBe(1);
    pacer.release(tickets.get('row 1')!, OK);
    expect(pacer.inFlight).toBe(0);
    pacer.close();
  });
});
