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

  /** Requests one after another against a server that lets one in `every` through, 10 s of the test's clock an answer. */
  async function onePassingIn(every: number, max: number) {
    let now = 0;
    h = await hostile((_req, res, n) => {
      now += 10_000;
      if (n % every === 0) json(res, 200, { id: 'ok' });
      // (503 rather than 429 with a Retry-After, which the pacer would wait out on the real clock.)
      else json(res, 503, { error: 'busy' });
    });
    const policy: RetryPolicy = { ...DEFAULT_RETRY, maxRetries: 0, baseMs: 0, breaker: { requests: 10, ms: 120_000 }, now: () => now };
    const sender = new Sender(client(), new Pacer({ ratePerMinute: 100_000, concurrency: 1 }), policy);
    const warned: string[] = [];
    sender.onNotice = (m) => warned.push(m);
    let stopped: ServerFailingError | undefined;
    for (let i = 0; i < max && !stopped; i++) {
      await sender.send({ method: 'GET', path: `/r/${i}` }).catch((e: unknown) => {
        if (e instanceof ServerFailingError) stopped = e;
      });
    }
    sender.pacer.close();
    return { stopped, warned, sent: h.received.length, now };
  }

  it('a server that lets one request in five through stops the run once most attempts have failed for the time budget, and warns first', async () => {
    // A success every fifth request ends each stretch "in a row", so only the share of failures tells.
    const { stopped, warned, sent } = await onePassingIn(5, 100);
    expect(warned).toEqual([
      'the server is failing most requests (8 of the last 10: 429, 5xx, no answer, or an answer that confirms nothing): the run is slowed, and stops if most attempts of 2 min 0 s fail',
    ]);
    // Judged once the run has sent for 2 min (the 13th answer, at 130 s): 11 of those 13 failed.
    expect(stopped?.message).toBe(
      'The server kept failing: 11 of the 13 attempts of the last 2 min 0 s failed (429, 5xx, no answer, or an answer that confirms nothing); the last: GET /r/12 answered 503: busy. The run stopped; the rows not sent go with the next run. Try again later (vitally-sync doctor checks the connection)',
    );
    expect(sent).toBe(13);
  });

  it('one request in four through (three in four failing) is a slow server, not a down one: it is not stopped', async () => {
    const { stopped, sent } = await onePassingIn(4, 60);
    expect(stopped).toBeUndefined();
    expect(sent).toBe(60);
  });
});
