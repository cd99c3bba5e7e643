/**
 * No answer is believed without a body that confirms it: a 2xx that is HTML, empty, `null`, a list, or
 * another record fails its row, in doubt, and is never recorded as sent, so the next run sends it
 * again (after checking, for a create) and --delete-missing never deletes what was never synced.
 */
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { rows, runCli, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';
import { ROWS_ONLY, accountsCsv, echoRecord, expectNoToken, filesIn, hostile, json, TOKEN, type Handler, type Hostile, type Received } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const env = () => ({ VITALLY_BASE_URL: h!.url, VITALLY_API_TOKEN: TOKEN, VITALLY_ANALYTICS_TOKEN: `an_${TOKEN}` });
const said = (r: Received[]) => r.map((q) => `${q.method} ${q.path}`);

/** A server that answers as Vitally does: the record for a write, 404 for an unknown one, 204 for a delete. */
function vitallyLike(known = new Set<string>()): Handler {
  return (req, res) => {
    if (req.method === 'DELETE') return void res.writeHead(204).end();
    if (req.path.startsWith('/analytics/')) return json(res, 200, { message: 'Success.' });
    const key = decodeURIComponent(req.path.split('/').pop() ?? '');
    if (req.method === 'GET') return known.has(key) ? json(res, 200, { id: `id-${key}`, externalId: key }) : json(res, 404, { error: 'Not found' });
    const rec = echoRecord(req);
    known.add(String(rec.externalId));
    return json(res, 200, rec);
  };
}

const NOT_CONFIRMING: Array<[string, (res: import('node:http').ServerResponse) => void, RegExp]> = [
  [
    'an HTML page',
    (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome to the portal</body></html>'),
    /its body is not JSON \(text\/html\)/,
  ],
  ['an empty body', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(), /its body is empty/],
  ['null', (res) => json(res, 200, null), /its body is null, not a JSON object/],
  ['a list', (res) => json(res, 200, []), /its body is a list, not a record/],
  ['an empty object', (res) => json(res, 200, {}), /its body is not a record with an id/],
  ['an error in a 200', (res) => json(res, 200, { error: 'Service temporarily unavailable, request dropped' }), /its body is not a record with an id/],
  ['a record without the externalId sent', (res) => json(res, 200, { id: 'id-something' }), /the record in it has no externalId \("acct-\d" was sent\)/],
];

describe('a 2xx whose body does not confirm the row', () => {
  it.each(NOT_CONFIRMING)('%s: the rows fail in doubt, nothing is recorded, and the next run sends them again', async (_name, answer, why) => {
    h = await hostile((_req, res) => answer(res));
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(3));
    const state = join(dir, 'state.db');
    const r = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state, '--rejects', join(dir, 'rejects.ndjson')], {
      env: env(),
    });
    expect(r.code).toBe(1);
    for (const [i, x] of rows(r).entries()) {
      expect(x).toMatchObject({ key: `acct-${i + 1}`, status: 'failed', action: 'error', httpStatus: 200, id: null });
      expect(x.error).toMatch(
        new RegExp(`^PUT /resources/accounts/acct-${i + 1} answered 200, but ${why.source}.*: not taken as done; the row stays in doubt for the next run$`),
      );
    }
    expect(summaryOf(r)).toMatchObject({ ok: 0, failed: 3 });

    // Vitally answers properly now: every row is sent again (none is "unchanged"), and lands.
    h.handle(vitallyLike());
    h.received.length = 0;
    const again = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state], { env: env() });
    expect(again.code).toBe(0);
    expect(rows(again).map((x) => [x.key, x.status, x.action, x.id])).toEqual([
      ['acct-1', 'ok', 'updated', 'id-acct-1'],
      ['acct-2', 'ok', 'updated', 'id-acct-2'],
      ['acct-3', 'ok', 'updated', 'id-acct-3'],
    ]);
    // Requests travel concurrently: each row's PUT once, in whatever order they arrived.
    expect(said(h.received).sort()).toEqual(['PUT /resources/accounts/acct-1', 'PUT /resources/accounts/acct-2', 'PUT /resources/accounts/acct-3']);
    expectNoToken({ stdout: r.stdout + again.stdout, stderr: r.stderr + again.stderr, ...filesIn(dir) });
  });

  it('a create answered with an HTML page is in doubt: the next run looks the record up before creating it', async () => {
    h = await hostile((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>'));
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(2));
    const state = join(dir, 'state.db');
    const r = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--mode', 'insert', '--json', '--state', state], { env: env() });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.status, x.httpStatus])).toEqual([
      ['failed', 200],
      ['failed', 200],
    ]);
    // The first POST did land (the portal passed it on): the check finds it and nothing is created twice.
    h.handle(vitallyLike(new Set(['acct-1'])));
    h.received.length = 0;
    const again = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--mode', 'insert', '--json', '--state', state], { env: env() });
    expect(again.code).toBe(0);
    expect(rows(again).map((x) => [x.key, x.action, x.id])).toEqual([
      ['acct-1', 'created', 'id-acct-1'],
      ['acct-2', 'created', 'id-acct-2'],
    ]);
    // The two rows travel concurrently: each was looked up once, and only the one not found was created.
    expect(said(h.received).sort()).toEqual(['GET /resources/accounts/acct-1', 'GET /resources/accounts/acct-2', 'POST /resources/accounts']);
  });

  it('a 200 carrying another record fails its row; --delete-missing later deletes only what was confirmed', async () => {
    h = await hostile((req, res) =>
      req.path.endsWith('/acct-2')
        ? json(res, 200, { id: 'id-someone-else', externalId: 'someone-else', name: 'Someone Else' })
        : json(res, 200, echoRecord(req)),
    );
    const dir = tempDir();
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, accountsCsv(3));
    const state = join(dir, 'state.db');
    const r = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state], { env: env() });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.id])).toEqual([
      ['acct-1', 'ok', 'id-acct-1'],
      ['acct-2', 'failed', null],
      ['acct-3', 'ok', 'id-acct-3'],
    ]);
    expect(rows(r)[1]!.error).toContain('answered 200, but the record in it has externalId "someone-else", not "acct-2"');

    // The export now holds acct-1 alone: acct-3 was synced and goes; acct-2 never was, and "someone-else" is left alone.
    writeFileSync(file, accountsCsv(1));
    h.handle(vitallyLike(new Set(['acct-1'])));
    h.received.length = 0;
    const mirror = await runCli(
      ['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state, '--delete-missing', '--max-delete-share', '100'],
      {
        env: env(),
      },
    );
    expect(mirror.code).toBe(0);
    // acct-1 is unchanged (skipped, no request).
    expect(said(h.received)).toEqual(['DELETE /resources/accounts/id-acct-3']);
    expect(
      rows(mirror)
        .filter((x) => x.action === 'deleted')
        .map((x) => x.key),
    ).toEqual(['acct-3']);
  });

  it('a delete answered with an empty 200 is not taken as done: the store keeps the record, and the next run deletes it', async () => {
    h = await hostile(vitallyLike());
    const dir = tempDir();
    const file = join(dir, 'accounts.csv');
    writeFileSync(file, accountsCsv(2));
    const state = join(dir, 'state.db');
    expect((await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--state', state], { env: env() })).code).toBe(0);
    writeFileSync(file, accountsCsv(1));
    const good = vitallyLike(new Set(['acct-1']));
    h.handle((req, res) => (req.method === 'DELETE' ? res.writeHead(200).end() : good(req, res, 0)));
    const first = await runCli(
      ['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state, '--delete-missing', '--max-delete-share', '100'],
      {
        env: env(),
      },
    );
    expect(first.code).toBe(1);
    expect(rows(first).find((x) => x.key === 'acct-2')).toMatchObject({ row: 0, status: 'failed', httpStatus: 200 });
    expect(rows(first).find((x) => x.key === 'acct-2')!.error).toContain('DELETE /resources/accounts/id-acct-2 answered 200, but its body is empty');
    h.handle(good);
    h.received.length = 0;
    const second = await runCli(
      ['push', ...ROWS_ONLY, file, '--object', 'account', '--json', '--state', state, '--delete-missing', '--max-delete-share', '100'],
      {
        env: env(),
      },
    );
    expect(second.code).toBe(0);
    expect(said(h.received)).toContain('DELETE /resources/accounts/id-acct-2');
    expect(rows(second).find((x) => x.key === 'acct-2')).toMatchObject({ status: 'ok', action: 'deleted', httpStatus: 204 });
  });
});

describe('look-ups need a record too', () => {
  const notes = () => writeTemp(tempDir(), 'notes.csv', 'externalId,accountExternalId,note,noteDate\nn-1,acme,First,2025-01-01\nn-2,acme,Second,2025-01-02\n');

  it.each([
    [
      'an HTML page',
      (res: import('node:http').ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'),
      'its body is not JSON (text/html)',
    ],
    [
      'another record',
      (res: import('node:http').ServerResponse) => json(res, 200, { id: 'id-globex', externalId: 'globex' }),
      'the record in it has externalId "globex", not "acme"',
    ],
  ] as const)('a look-up answered with %s fails the rows that need it, and no note is sent to a wrong account', async (_name, answer, why) => {
    h = await hostile((req, res) => (req.method === 'GET' ? answer(res) : json(res, 200, echoRecord(req))));
    const r = await runCli(['push', ...ROWS_ONLY, notes(), '--object', 'note', '--json'], { env: env() });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status])).toEqual([
      ['n-1', 'failed'],
      ['n-2', 'failed'],
    ]);
    expect(rows(r)[0]!.error).toContain(`GET /resources/accounts/acme answered 200, but ${why}`);
    expect(h.received.filter((q) => q.method === 'POST')).toEqual([]);
  });
});

describe('Analytics answers', () => {
  it('a 200 that is not JSON confirms no row of the batch; the next run sends them again', async () => {
    h = await hostile((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'));
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(3));
    const state = join(dir, 'state.db');
    const r = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--via', 'analytics', '--json', '--state', state], { env: env() });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.status, x.httpStatus])).toEqual([
      ['failed', 200],
      ['failed', 200],
      ['failed', 200],
    ]);
    expect(rows(r)[0]!.error).toMatch(/^POST \/analytics\/v1\/batch answered 200, but its body is not JSON \(text\/html\)/);
    h.handle(vitallyLike());
    h.received.length = 0;
    const again = await runCli(['push', ...ROWS_ONLY, file, '--object', 'account', '--via', 'analytics', '--json', '--state', state], { env: env() });
    expect(again.code).toBe(0);
    expect(rows(again).map((x) => x.action)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(JSON.parse(h.received[0]!.body)).toHaveLength(3);
  });
});
