/**
 * No answer is unbounded: --timeout bounds the whole answer (a server trickling its body is cut off),
 * at most a few MiB of an answer are read, the request log keeps a bounded prefix of a body, and an
 * answer that breaks off halfway is a failure retried like a lost connection.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rows, runCli, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';
import { ROWS_ONLY, accountsCsv, echoRecord, expectNoToken, filesIn, hostile, json, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const env = () => ({ VITALLY_BASE_URL: h!.url, VITALLY_API_TOKEN: TOKEN });
const FAST = ['--max-retries', '1', '--retry-base-ms', '1'];

/** Write `chunk` again and again until the client goes away (or `max` bytes, as a safety net). */
function flood(res: ServerResponse, chunk: Buffer, max = 64 * 1024 * 1024): void {
  let sent = 0;
  const more = () => {
    while (sent < max && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    res.end();
  };
  res.on('close', () => {
    sent = max;
  });
  more();
}

describe('--timeout bounds the whole answer', () => {
  it('a server trickling its body a byte at a time fails the row at the timeout, after its retries', async () => {
    h = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write('{')), 50);
      res.on('close', () => clearInterval(timer));
    });
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(2));
    const r = await runCli(
      ['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--timeout', '300', ...FAST, '--log-requests', join(dir, 'log.ndjson')],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.httpStatus, x.error])).toEqual([
      ['acct-1', 'failed', null, 'PUT /resources/accounts/acct-1: no answer within 300 ms (--timeout) (after 2 attempts)'],
      ['acct-2', 'failed', null, 'PUT /resources/accounts/acct-2: no answer within 300 ms (--timeout) (after 2 attempts)'],
    ]);
    expect(h.received.map((q) => q.method)).toEqual(['PUT', 'PUT', 'PUT', 'PUT']);
  });

  it('doctor: a trickling answer is cut at its --timeout', async () => {
    h = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
      res.on('close', () => clearInterval(timer));
    });
    const r = await runCli(['doctor', '--no-config', '--base-url', h.url, '--timeout', '300'], { env: { VITALLY_API_TOKEN: TOKEN } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('no answer within 300 ms (--timeout)');
  });

  it.each([
    [
      'fields',
      ['fields', '--object', 'account', '--no-state'],
      2,
      /^vitally-sync: Could not read Vitally's account trait catalogue: .*no answer within 300 ms \(--timeout\)/m,
    ],
    ['init', ['init', 'FILE', '--object', 'account', '--no-state', '--config', 'CONFIG', '--json'], 0, /no answer within 300 ms \(--timeout\)/],
  ] as const)(
    '%s: a trickling trait catalogue is cut at its --timeout',
    async (_name, args, code, says) => {
      h = await hostile((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(' ')), 50);
        res.on('close', () => clearInterval(timer));
      });
      const dir = tempDir();
      const file = writeTemp(dir, 'export.csv', 'id,name\na1,Acme\n');
      const argv = args.map((a) => (a === 'FILE' ? file : a === 'CONFIG' ? join(dir, 'vitally-sync.config.json') : a));
      const r = await runCli([...argv, '--base-url', h.url, '--timeout', '300', '--max-retries', '1'], { env: { VITALLY_API_TOKEN: TOKEN } });
      expect(r.code).toBe(code);
      expect(r.stdout + r.stderr).toMatch(says);
      // The catalogue's GET and its one retry (--max-retries 1): each cut at the timeout.
      expect(h.received).toHaveLength(2);
      expect(h.received.every((q) => q.path === '/resources/customFields?model=accounts')).toBe(true);
    },
    60_000,
  );
});

describe('what is read of an answer is capped', () => {
  it('an endless 200 fails its row at 4 MiB, in doubt, and the request log keeps a bounded piece of it', async () => {
    h = await hostile((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // The token straddles the 64 KiB the request log keeps of such an answer.
      res.write(`{"echo":"${'x'.repeat(64 * 1024 - 30)}${TOKEN}",`);
      flood(res, Buffer.from(`{"pad":"${'x'.repeat(64 * 1024)}",`));
    });
    const dir = tempDir();
    const log = join(dir, 'log.ndjson');
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(2));
    const r = await runCli(
      ['push', ...ROWS_ONLY, file, '--object', 'account', '--json', ...FAST, '--log-requests', log, '--rejects', join(dir, 'rejects.ndjson')],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(1);
    for (const x of rows(r)) {
      expect(x).toMatchObject({ status: 'failed', httpStatus: 200 });
      expect(x.error).toBe(
        `PUT /resources/accounts/${x.key} answered 200 with more than 4 MiB (the most read of an answer): not read further; the request may have been applied`,
      );
    }
    // Not retried: the same answer would come again.
    expect(h.received).toHaveLength(2);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line.length).toBeLessThan(100 * 1024);
      expect(JSON.parse(line)).toMatchObject({ status: 200, error: expect.stringContaining('more than 4 MiB') });
    }
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });

  it('an answer announcing 200 MB is refused before its body is read', async () => {
    h = await hostile((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json', 'content-length': String(200 * 1024 * 1024) });
      res.write('{"error":"');
    });
    const r = await runCli(['push', ...ROWS_ONLY, writeTemp(tempDir(), 'a.csv', accountsCsv(1)), '--object', 'account', '--json', ...FAST], { env: env() });
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({ status: 'failed', httpStatus: 500, error: expect.stringContaining('answered 500 with more than 4 MiB') });
    expect(h.received).toHaveLength(1);
  });

  it('a large answer under the cap is read, and the request log says where it cut the body', async () => {
    h = await hostile((req, res) => json(res, 200, echoRecord(req, { traits: { notes: 'n'.repeat(1024 * 1024) } })));
    const dir = tempDir();
    const log = join(dir, 'log.ndjson');
    const r = await runCli(['push', ...ROWS_ONLY, writeTemp(dir, 'a.csv', accountsCsv(1)), '--object', 'account', '--json', '--log-requests', log], {
      env: env(),
    });
    expect(r.code).toBe(0);
    expect(rows(r)[0]).toMatchObject({ status: 'ok', action: 'updated', id: 'id-acct-1' });
    const line = JSON.parse(readFileSync(log, 'utf8').trim()) as { response: { body: string; cut: { kept: number; of: number } } };
    expect(line.response.cut).toEqual({ kept: 256 * 1024, of: expect.any(Number) });
    expect(line.response.cut.of).toBeGreaterThan(1024 * 1024);
    expect(line.response.body).toHaveLength(256 * 1024);
    expect(line.response.body.startsWith('{"id":"id-acct-1"')).toBe(true);
  });
});

describe('an answer broken off halfway', () => {
  it('(Content-Length larger than what is sent, then the connection closes) is retried, then fails in doubt', async () => {
    h = await hostile((req, res) => {
      if (req.method === 'GET') return json(res, 404, { error: 'Not found' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"id":"id-acct-1","externalId":"acct-1",');
      setTimeout(() => res.socket?.destroy(), 10);
    });
    const dir = tempDir();
    const state = join(dir, 'state.db');
    const r = await runCli(
      ['push', ...ROWS_ONLY, writeTemp(dir, 'a.csv', accountsCsv(1)), '--object', 'account', '--mode', 'insert', '--json', ...FAST, '--state', state],
      {
        env: env(),
      },
    );
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({ status: 'failed', httpStatus: null });
    expect(rows(r)[0]!.error).toBe('POST /resources/accounts answered 200, but its body broke off before its end (UND_ERR_SOCKET) (after 2 attempts)');
    // A create that may have landed is looked up before it is sent again.
    expect(h.received.map((q) => `${q.method} ${q.path}`)).toEqual(['POST /resources/accounts', 'GET /resources/accounts/acct-1', 'POST /resources/accounts']);
    expect(summaryOf(r)).toMatchObject({ failed: 1 });
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });
});
