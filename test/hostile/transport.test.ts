/**
 * The transport and the sender against hostile servers, where the CLI cannot reach: the grace after a
 * stop, the breaker's time budget (on an injected clock), and what an answer's text becomes before
 * anything reads it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ServerFailingError } from '../../src/errors.js';
import { restAuthorization } from '../../src/vitally/auth.js';
import { HttpClient } from '../../src/vitally/http.js';
import { Pacer } from '../../src/vitally/pacer.js';
import { DEFAULT_RETRY, type RetryPolicy } from '../../src/vitally/retry.js';
import { Sender } from '../../src/vitally/sender.js';
import { BASIC, expectNoToken, hostile, json, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
const clients: HttpClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.destroy()));
  await h?.close();
  h = undefined;
});

function client(timeoutMs = 5000): HttpClient {
  const c = new HttpClient({
    baseUrl: h!.url,
    authorization: restAuthorization(TOKEN),
    connections: 2,
    connectTimeoutMs: 1000,
    timeoutMs,
    authHint: 'VITALLY_API_TOKEN',
  });
  clients.push(c);
  return c;
}

describe('the transport', () => {
  it('after a stop, an answer still trickling in gets the grace, then fails in doubt', async () => {
    h = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 20);
      res.on('close', () => clearInterval(timer));
    });
    const c = client(60_000);
    const stop = new AbortController();
    c.stopOn(stop.signal, 100);
    const pending = c.send({ method: 'PUT', path: '/resources/accounts/a', body: '{}' });
    setTimeout(() => stop.abort(), 50);
    await expect(pending).rejects.toMatchObject({
      code: 'NETWORK',
      message: 'PUT /resources/accounts/a: no answer within 100 ms of the stop; the request may have been applied',
    });
  });

  it('scrubs the credential out of the body and the headers before anything reads them', async () => {
    h = await hostile((req, res) =>
      json(
        res,
        200,
        { id: 'x', echo: req.headers.authorization, head: TOKEN.slice(0, 12) },
        { 'x-auth': req.headers.authorization ?? '', [`x-${TOKEN}`]: '1' },
      ),
    );
    const res = await client().send({ method: 'GET', path: '/resources/accounts/a' });
    expect(h.received[0]!.headers.authorization).toBe(BASIC);
    expect(res.json).toEqual({ id: 'x', echo: '***', head: '***' });
    expect(res.headers['x-auth']).toBe('***');
    expect(res.headers['x-***']).toBe('1');
    expectNoToken({ body: res.body, headers: JSON.stringify(res.headers) });
  });
});

describe("the sender's breaker, on an injected clock", () => {
  it('stops once failing has gone on for the time budget with no success, then refuses every request unsent', async () => {
    let now = 0;
    h = await hostile((_req, res) => {
      now += 40_000; // each answer takes 40 s of the test's clock
      json(res, 503, { error: 'down for maintenance' });
    });
    const policy: RetryPolicy = { ...DEFAULT_RETRY, maxRetries: 20, baseMs: 0, breaker: { requests: 1000, ms: 120_000 }, now: () => now };
    const sender = new Sender(client(), new Pacer({ ratePerMinute: 100_000, concurrency: 1 }), policy);
    const err = await sender.send({ method: 'PUT', path: '/resources/accounts/a', body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerFailingError);
    expect((err as ServerFailingError).message).toBe(
      'The server kept failing: no request succeeded for 2 min 0 s while they kept failing; the last: PUT /resources/accounts/a answered 503: down for maintenance. The run stopped; the rows not sent go with the next run. Try again later (vitally-sync doctor checks the connection)',
    );
    // Failing since the first answer (40 s): at 160 s, 120 s have passed. The row may have been applied.
    expect(h.received).toHaveLength(4);
    expect((err as ServerFailingError).maybeApplied).toBe(true);
    await expect(sender.send({ method: 'GET', path: '/resources/accounts/b' })).rejects.toBeInstanceOf(ServerFailingError);
    expect(h.received).toHaveLength(4);
    sender.pacer.close();
  });

  it('a success in between starts the count again', async () => {
    h = await hostile((_req, res, n) => (n % 3 === 0 ? json(res, 200, { id: 'ok' }) : json(res, 503, { error: 'busy' })));
    const policy: RetryPolicy = { ...DEFAULT_RETRY, maxRetries: 0, baseMs: 0, breaker: { requests: 3, ms: 600_000 } };
    const sender = new Sender(client(), new Pacer({ ratePerMinute: 100_000, concurrency: 1 }), policy);
    const outcomes: string[] = [];
    for (let i = 0; i < 9; i++) {
      outcomes.push(
        await sender.send({ method: 'GET', path: `/r/${i}` }).then(
          () => 'ok',
          (e: Error) => e.constructor.name,
        ),
      );
    }
    expect(outcomes).toEqual(['ApiError', 'ApiError', 'ok', 'ApiError', 'ApiError', 'ok', 'ApiError', 'ApiError', 'ok']);
    sender.pacer.close();
  });
});
