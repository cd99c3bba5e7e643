/**
 * A listing of the workspace (--compare vitally) against a Vitally whose list pages misbehave: the
 * listing ends, and the rows are compared with what it read.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { errorOf, rows, runCli, tempDir, writeTemp } from '../helpers/cli.js';
import { echoRecord, hostile, json, ROWS_ONLY, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const env = () => ({ VITALLY_BASE_URL: h!.url, VITALLY_API_TOKEN: TOKEN });
const record = (key: string) => ({ id: `id-${key}`, externalId: key, name: `Account ${key}`, traits: {} });

describe('a list whose cursor leads back to a page already read', () => {
  it('ends where the cursor repeats, instead of reading the same pages forever; the rows are compared with what was read', async () => {
    // Page 1 leads to A, A to B, B back to A: a list that would never end.
    h = await hostile((req, res) => {
      if (req.method !== 'GET') return json(res, 200, echoRecord(req));
      const from = new URL(req.path, h!.url).searchParams.get('from');
      const page = from === null ? ['a-1'] : from === 'A' ? ['a-2'] : ['a-3'];
      json(res, 200, { results: page.map(record), next: from === 'A' ? 'B' : 'A' });
    });
    const file = writeTemp(tempDir(), 'accounts.csv', 'externalId,name\na-1,Account a-1\na-3,Account a-3\nnew,New\n');
    const r = await runCli(['push', file, '--object', 'account', '--compare', 'vitally', '--no-state', '--json', ...ROWS_ONLY], { env: env() });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.action])).toEqual([
      ['a-1', 'unchanged'],
      ['a-3', 'unchanged'],
      ['new', 'created'],
    ]);
    expect(h.received.filter((q) => q.method === 'GET').map((q) => new URL(q.path, h!.url).searchParams.get('from'))).toEqual([null, 'A', 'B']);
  }, 20_000);
});

describe('a list page that keeps failing', () => {
  it.each([
    ['answers 503 after its retries', (res: ServerResponse) => json(res, 503, { error: 'down for maintenance' }), /answered 503: down for maintenance/],
    [
      'answers 200 with an HTML page',
      (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in</html>'),
      /answered 200, but its body is not JSON \(text\/html\)/,
    ],
  ] as const)('%s: the run stops before sending anything, saying the listing failed, with the exit of a failing server (69)', async (_name, fail, why) => {
    h = await hostile((req, res) => {
      if (req.method !== 'GET') return json(res, 200, echoRecord(req));
      if (new URL(req.path, h!.url).searchParams.get('from') === 'B') return fail(res);
      json(res, 200, { results: [record('a-1')], next: 'B' });
    });
    const file = writeTemp(tempDir(), 'accounts.csv', 'externalId,name\na-1,Account a-1\na-2,Account a-2\n');
    const flags = ['--object', 'account', '--compare', 'vitally', '--no-state', '--json', '--max-retries', '1', '--retry-base-ms', '1', ...ROWS_ONLY];
    for (const command of ['push', 'diff']) {
      const r = await runCli([command, file, ...flags.filter((f) => command === 'push' || (f !== '--compare' && f !== 'vitally' && f !== '--no-state'))], {
        env: env(),
      });
      expect(r.code).toBe(69);
      const error = errorOf(r);
      expect(error.exitCode).toBe(69);
      expect(error.message).toMatch(/^Listing accounts in Vitally failed: GET \/resources\/accounts\?\S+&from=B /);
      expect(error.message).toMatch(why);
      expect(error.message).toMatch(/nothing was sent\. Try again later/);
      expect(error.message).not.toMatch(/row stays in doubt/);
    }
    expect(h.received.filter((q) => q.method !== 'GET')).toEqual([]);
  });
});
