/**
 * A listing of the workspace (--compare vitally) against a Vitally whose list pages misbehave: the
 * listing ends, and the rows are compared with what it read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rows, runCli, tempDir, writeTemp } from '../helpers/cli.js';
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
