/**
 * One header never stalls a run: absurd Retry-After and RateLimit-* values are cut to the longest wait
 * (a minute; --max-wait-ms, a hidden test setting, shrinks it here so nothing sleeps) and said once; a
 * server that keeps refusing ends the run with a clear reason and exit 69 (the breaker).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, rows, runCli, summaryOf, tempDir, warningsOf, writeTemp } from '../helpers/cli.js';
import { ROWS_ONLY, accountsCsv, echoRecord, hostile, json, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const env = () => ({ VITALLY_BASE_URL: h!.url, VITALLY_API_TOKEN: TOKEN });
const SHORT = ['--max-wait-ms', '50', '--max-retries', '1', '--retry-base-ms', '1', '--rate', '100000'];

describe('absurd rate-limit headers on answers that succeed', () => {
  it.each([
    [
      'RateLimit-Reset as an epoch in the year 2286, with Remaining 0',
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '10000000000' },
      'ratelimit-reset: 10000000000 asks to wait',
    ],
    [
      'RateLimit-Reset of 86000 s (a day), with Remaining 0',
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '86000' },
      'ratelimit-reset: 86000 asks to wait 86000 s: waits are cut to 0.05 s',
    ],
    [
      'RateLimit-Reset in exponent notation (1e10), with Remaining 0',
      { 'ratelimit-remaining': '0', 'ratelimit-reset': '1e10' },
      'ratelimit-reset: 1e10 is not a number of seconds: ignored',
    ],
    [
      'a window of a day, one request in it',
      { 'ratelimit-limit': '1, 1;w=86400', 'ratelimit-remaining': '0' },
      "ratelimit-limit: 1, 1;w=86400 names a window of 86400 s: ignored (Vitally's window is 60 s)",
    ],
    [
      'a limit of 100,000,000 a minute, with Remaining 0',
      { 'ratelimit-limit': '100000000, 100000000;w=60', 'ratelimit-remaining': '0' },
      'ratelimit-limit: 100000000, 100000000;w=60 names a limit of 100000000 requests: ignored (Vitally allows 1000 a minute)',
    ],
    [
      'a window of ten minutes, one request in it',
      { 'ratelimit-limit': '1, 1;w=600' },
      'ratelimit-limit: 1, 1;w=600 asks 600 s between two requests: ignored (Vitally allows 1000 a minute)',
    ],
    [
      'a RateLimit-Policy of one request in ten minutes',
      { 'ratelimit-limit': '1', 'ratelimit-policy': '1;w=600' },
      'ratelimit-policy: 1;w=600 asks 600 s between two requests: ignored (Vitally allows 1000 a minute)',
    ],
  ] as const)('%s: the waits are cut, the user is told once, and every row lands', async (_name, headers, notice) => {
    h = await hostile((req, res) => json(res, 200, echoRecord(req), headers));
    const r = await runCli(['push', ...ROWS_ONLY, writeTemp(tempDir(), 'a.csv', accountsCsv(6)), '--object', 'account', '--json', ...SHORT], { env: env() });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.status)).toEqual(Array(6).fill('ok'));
    expect(h.received).toHaveLength(6);
    // Said once, however many answers carried it (not a warning per timer tick).
    expect(warningsOf(r)).toHaveLength(1);
    expect(warningsOf(r)[0]).toContain(notice);
    expect(summaryOf(r).warnings).toEqual([expect.stringContaining(notice)]);
  });
});

describe('a server that keeps refusing: the breaker', () => {
  it('429 with Retry-After: 999999999 on every answer: the waits are cut, and the run stops with exit 69 and its summary', async () => {
    h = await hostile((_req, res) => json(res, 429, { error: 'Too many requests' }, { 'retry-after': '999999999' }));
    const dir = tempDir();
    const r = await runCli(
      ['push', ...ROWS_ONLY, writeTemp(dir, 'a.csv', accountsCsv(200)), '--object', 'account', '--json', ...SHORT, '--rejects', join(dir, 'rejects.ndjson')],
      { env: env() },
    );
    expect(r.code).toBe(69);
    expect(errorOf(r)).toMatchObject({ code: 'API_FAILING', exitCode: 69 });
    expect(errorOf(r).message).toMatch(
      /^The server kept failing: 10 requests in a row gave up \(429, 5xx, no answer, or an answer that confirms nothing\), with no success for \d+ s; the last: PUT \/resources\/accounts\/acct-\d+ answered 429: Too many requests\. The run stopped; the rows not sent go with the next run/,
    );
    expect(warningsOf(r)).toEqual(['Rate-limit header retry-after: 999999999 asks to wait 999999999 s: waits are cut to 0.05 s']);
    const summary = summaryOf(r);
    expect(summary).toMatchObject({ rows: rows(r).length, ok: 0, rateLimited: h.received.length });
    // Each row reported failed on its 429s; the one whose failure tripped the breaker says so.
    const [tripped, others] = [
      rows(r).filter((x) => x.error.startsWith('The server kept failing')),
      rows(r).filter((x) => !x.error.startsWith('The server kept failing')),
    ];
    expect(tripped.length).toBeLessThanOrEqual(1);
    expect(others.length).toBeGreaterThan(0);
    for (const x of others)
      expect(x).toMatchObject({ status: 'failed', httpStatus: 429, error: expect.stringContaining('answered 429: Too many requests (after 2 attempts)') });
    // It stopped: most of the 200 rows were never sent (each would have cost 2 attempts).
    expect(h.received.length).toBeLessThan(100);
  });

  it.each([
    [
      '503 to every request',
      (res: import('node:http').ServerResponse) => json(res, 503, { error: 'Service Unavailable' }),
      /answered 503: Service Unavailable/,
    ],
    [
      'the connection reset on every request',
      (res: import('node:http').ServerResponse) => res.socket?.destroy(),
      /the connection was (reset|closed) before an answer/,
    ],
    [
      'an HTML page with 200 to every request',
      (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
      /answered 200, but its body is not JSON \(text\/html\)/,
    ],
  ] as const)('%s: exit 69 with the reason; the next run sends what was not confirmed', async (_name, answer, last) => {
    h = await hostile((_req, res) => answer(res));
    const dir = tempDir();
    const file = writeTemp(dir, 'a.csv', accountsCsv(20));
    const state = join(dir, 'state.db');
    const r = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--json', ...SHORT, '--state', state], { env: env() });
    expect(r.code).toBe(69);
    expect(r.stderr).toContain('The server kept failing: 10 requests in a row gave up');
    expect(r.stderr).toMatch(last);
    expect(summaryOf(r)).toMatchObject({ ok: 0, interrupted: false });
    expect(h.received.length).toBeLessThan(40);

    h.handle((req, res) => json(res, 200, echoRecord(req)));
    h.received.length = 0;
    const again = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--rate', '100000', '--state', state], { env: env() });
    expect(again.code).toBe(0);
    expect(rows(again).map((x) => x.action)).toEqual(Array(20).fill('updated'));
    expect(h.received).toHaveLength(20);
  });

  it('run --all: the sync whose server kept failing ends the run with exit 69, and the syncs after it are not run', async () => {
    h = await hostile((req, res) => (req.path.includes('/organizations') ? json(res, 200, echoRecord(req)) : json(res, 503, { error: 'Service Unavailable' })));
    const dir = tempDir();
    writeTemp(dir, 'accounts.csv', accountsCsv(20));
    writeTemp(dir, 'orgs.csv', 'externalId,name\no-1,Org 1\n');
    const config = writeTemp(
      dir,
      'vitally-sync.config.json',
      JSON.stringify({ syncs: { accounts: { file: 'accounts.csv', object: 'account' }, orgs: { file: 'orgs.csv', object: 'organization' } } }),
    );
    const r = await runCli(['run', '--all', '--config', config, '--no-state', ...SHORT], { env: env() });
    expect(r.code).toBe(69);
    expect(r.stdout).toContain('== run --all: accounts exit 69 (the server kept failing), orgs not run; exit 69');
    expect(h.received.some((q) => q.path.includes('/organizations'))).toBe(false);
  });

  it('a row that fails alone among good ones does not trip it', async () => {
    h = await hostile((req, res) => (req.path.endsWith('/acct-3') ? json(res, 503, { error: 'busy' }) : json(res, 200, echoRecord(req))));
    const r = await runCli(['push', ...ROWS_ONLY, writeTemp(tempDir(), 'a.csv', accountsCsv(30)), '--object', 'account', '--json', ...SHORT], { env: env() });
    expect(r.code).toBe(1);
    expect(
      rows(r)
        .filter((x) => x.status === 'failed')
        .map((x) => x.key),
    ).toEqual(['acct-3']);
    expect(rows(r)).toHaveLength(30);
  });
});
