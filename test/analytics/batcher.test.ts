/**
 * The batcher against a plain node:http server scripted to refuse: proves the blocked-type rule does not
 * depend on Vitally's wording (the sandbox says "blocked"; the real API may not).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Batcher } from '../../src/analytics/batcher.js';
import { unlinkMessage, type Message } from '../../src/analytics/messages.js';
import type { VitallySyncError } from '../../src/errors.js';
import { HttpClient } from '../../src/vitally/http.js';
import { Pacer } from '../../src/vitally/pacer.js';
import { DEFAULT_RETRY } from '../../src/vitally/retry.js';
import { Sender } from '../../src/vitally/sender.js';

let server: Server;
let url: string;
const received: Message[][] = [];
/** Message types the server refuses, with a reason that never says "blocked". */
const refused = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const batch = JSON.parse(body) as Message[];
      received.push(batch);
      const bad = batch.findIndex((m) => refused.has(m.type) || m.userId === 'bad');
      res.writeHead(bad < 0 ? 200 : 400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(bad < 0 ? { message: 'Success.' } : { error: `Invalid message at ${bad}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function batcher(onFatal: (e: VitallySyncError) => void): Batcher {
  const http = new HttpClient({ baseUrl: url, authorization: 'Basic x', connections: 2, connectTimeoutMs: 1000, timeoutMs: 5000, authHint: 'The token' });
  const sender = new Sender(http, new Pacer({ ratePerMinute: 100_000, concurrency: 2 }), { ...DEFAULT_RETRY, maxRetries: 0 });
  return new Batcher((req) => sender.send(req), 100, onFatal, 5);
}

describe('Batcher', () => {
  it('isolates the one refused row by halving, and lands the others', async () => {
    received.length = 0;
    const b = batcher(() => {});
    const rows = Array.from({ length: 40 }, (_, i) => b.submit([unlinkMessage(i === 13 ? 'bad' : `u${i}`, 'a', 'run-1')]));
    b.flush();
    const results = await Promise.all(rows);
    expect(results.map((r, i) => [i, r.outcome.status]).filter(([, s]) => s === 'failed')).toEqual([[13, 'failed']]);
    expect(results[13]!.outcome.error).toContain('Invalid message at 0');
    // Every good row was accepted in some batch exactly once.
    const accepted = received.filter((b) => !b.some((m) => m.userId === 'bad')).flat();
    expect(accepted).toHaveLength(39);
  });

  it('stops once a whole batch of a never-accepted type was refused row by row, whatever the wording', async () => {
    received.length = 0;
    refused.add('unlink');
    const fatal: VitallySyncError[] = [];
    const b = batcher((e) => fatal.push(e));
    const first = Array.from({ length: 10 }, (_, i) => b.submit([unlinkMessage(`u${i}`, 'a', 'run-1')]));
    b.flush();
    await Promise.all(first);
    const sentForFirst = received.length;
    const later = await b.submit([unlinkMessage('u99', 'a', 'run-1')]).then((r) => r);
    refused.clear();
    expect(fatal).toHaveLength(1);
    expect(fatal[0]!.message).toContain('Vitally refused every "unlink" message');
    expect(sentForFirst).toBe(19); // the batch, then halves down to each of its 10 rows
    expect(later.outcome.status).toBe('failed');
    expect(received).toHaveLength(sentForFirst); // nothing more is sent
  });

  it('bad rows first in a file are not taken for a blocked type: the good rows land', async () => {
    received.length = 0;
    const fatal: VitallySyncError[] = [];
    const b = batcher((e) => fatal.push(e));
    const rows = Array.from({ length: 13 }, (_, i) => b.submit([unlinkMessage(i < 3 ? 'bad' : `u${i}`, 'a', `run-${i}`)]));
    b.flush();
    const results = await Promise.all(rows);
    expect(fatal).toEqual([]);
    expect(results.map((r) => r.outcome.status)).toEqual([...Array(3).fill('failed'), ...Array(10).fill('ok')]);
  });
});
