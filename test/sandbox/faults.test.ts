import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { analytics, rest } from './helpers.js';

async function statuses(sb: Sandbox, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await rest(sb, 'GET', '/resources/accounts')).status);
  return out;
}

describe('sandbox fault injection', () => {
  const open: Sandbox[] = [];
  const start = async (o: Parameters<typeof createSandbox>[0]) => {
    const sb = await createSandbox(o);
    open.push(sb);
    return sb;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((sb) => sb.close()));
  });

  it('fails the same requests for the same seed', async () => {
    const a = await statuses(await start({ seed: 42, failRate: 0.5 }), 20);
    const b = await statuses(await start({ seed: 42, failRate: 0.5 }), 20);
    const fails = a.filter((s) => s === 503).length;
    expect(fails).toBeGreaterThan(0);
    expect(fails).toBeLessThan(20);
    expect(b.filter((s) => s === 503).length).toBe(fails);
    expect(b).toEqual(a);
    expect(a.every((s) => s === 200 || s === 503)).toBe(true);
  });

  it('replays the same faults after reset()', async () => {
    const sb = await start({ seed: 7, failRate: 0.5 });
    const first = await statuses(sb, 10);
    sb.reset();
    expect(await statuses(sb, 10)).toEqual(first);
    expect(sb.stats.faults.failed).toBe(first.filter((s) => s === 503).length);
  });

  it('answers 503 without applying the request, with rate-limit headers', async () => {
    const sb = await start({ failRate: 1 });
    const res = await rest(sb, 'POST', '/resources/accounts', { externalId: 'f1', name: 'F' });
    expect(res.status).toBe(503);
    expect(res.json).toEqual({ error: 'Service Unavailable' });
    expect(res.headers['ratelimit-remaining']).toBe('999');
    expect(sb.store.all('accounts')).toHaveLength(0);
    expect(sb.stats.writes).toBe(0);
    const track = await analytics(sb, 'track', { event: 'e', properties: {}, userId: 'u', messageId: 1 });
    expect(track.status).toBe(503);
    expect(sb.store.events).toHaveLength(0);
  });

  it('destroys the socket on drop: the client sees a socket error and nothing is applied', async () => {
    const sb = await start({ dropRate: 1 });
    await expect(rest(sb, 'POST', '/resources/accounts', { externalId: 'd1', name: 'D' })).rejects.toThrow();
    expect(sb.store.all('accounts')).toHaveLength(0);
    expect(sb.stats.faults.dropped).toBe(1);
    expect(sb.requests[0]).toMatchObject({ status: 0, fault: 'drop', path: '/resources/accounts' });
    sb.options.dropRate = 0;
    expect((await rest(sb, 'POST', '/resources/accounts', { externalId: 'd1', name: 'D' })).status).toBe(200);
  });

  it('applies the request and then loses the answer on dropAfter', async () => {
    const sb = await start({ dropAfterRate: 1, latencyMs: 20 });
    await expect(rest(sb, 'POST', '/resources/accounts', { externalId: 'lost', name: 'L' })).rejects.toThrow();
    expect(sb.store.get('accounts', 'lost')).toMatchObject({ name: 'L' });
    expect(sb.stats.writes).toBe(1);
    expect(sb.requests[0]).toMatchObject({ status: 200, fault: 'dropAfter' });
    await expect(analytics(sb, 'track', { event: 'e', properties: {}, userId: 'u', messageId: 1 })).rejects.toThrow();
    expect(sb.store.events).toHaveLength(1);
  });

  it('still answers with latency configured', async () => {
    const sb = await start({ latencyMs: 30 });
    const [a, b] = await Promise.all([rest(sb, 'GET', '/resources/accounts'), rest(sb, 'GET', '/resources/users')]);
    expect(a.status).toBe(200);
    expect(b.json).toEqual({ results: [], next: null });
  });
});
