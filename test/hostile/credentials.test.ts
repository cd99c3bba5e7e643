/**
 * Servers that echo the credential back (proxies and gateways do, in error pages, in bodies, in
 * headers): whatever the command, the token (in any form, or any 8 characters of it) must appear
 * nowhere the user or a file can see it.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rows, runCli, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';
import { accountsCsv, BASIC, echoRecord, expectNoToken, filesIn, hostile, json, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The token an Authorization header carries (REST: base64 of "token:"; Analytics: the token itself). */
const tokenOf = (auth: string | undefined) => {
  const v = (auth ?? '').replace(/^Basic /, '');
  const decoded = Buffer.from(v, 'base64').toString('utf8');
  return decoded.endsWith(':') ? decoded.slice(0, -1) : v;
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
/** Every character as a JSON \u escape, as some gateways' JSON encoders write what they echo. */
const uEscaped = (s: string) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

/** Ways a proxy or gateway echoes what it was sent, each an error body built from the Authorization header. */
const ECHOES: Array<[string, (auth: string) => string]> = [
  ['the Authorization header in a JSON error', (a) => JSON.stringify({ error: `Bad request; you sent Authorization: ${a}` })],
  ['the decoded token in a text body', (a) => `invalid credentials for user ${tokenOf(a)} (empty password)`],
  // 470 characters before it: a cut at 500 before redaction would leave 27 of its 40 characters.
  ['the token across the 500-character cut of an error text', (a) => JSON.stringify({ message: `${'x'.repeat(469)} ${tokenOf(a)} and more after it` })],
  ['the head of the token where a proxy cut its own echo', (a) => `upstream said: token=${tokenOf(a).slice(0, 21)}`],
  ['URL-safe base64 and the base64 of the Basic header value', (a) => `got ${b64url(`${tokenOf(a)}:`)} and ${b64(a)} and ${b64url(tokenOf(a))}`],
  ['the token percent-encoded in a URL', (a) => `redirected from /login?auth=${encodeURIComponent(a)}`],
  // Read as JSON, the message decodes to the token; the cut at 500 would leave its head.
  ['the token \\u-escaped in a JSON error, across the cut', (a) => `{"message":"${'x'.repeat(470)}${uEscaped(tokenOf(a))}"}`],
];

describe('push against a server that echoes the credential', () => {
  it.each(ECHOES)('%s: every row fails with the error, and no output or file holds the token', async (_name, echo) => {
    h = await hostile((req, res) => {
      res.writeHead(400, { 'content-type': 'text/plain', 'x-echo': req.headers.authorization ?? '' });
      res.end(echo(req.headers.authorization ?? ''));
    });
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(3));
    const args = [
      'push',
      file,
      '--object',
      'account',
      '--json',
      '--rejects',
      join(dir, 'rejects.ndjson'),
      '--log-requests',
      join(dir, 'requests.ndjson'),
      '--state',
      join(dir, 'state.db'),
    ];
    const r = await runCli(args, { env: { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN } });

    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.httpStatus])).toEqual([
      ['acct-1', 'failed', 400],
      ['acct-2', 'failed', 400],
      ['acct-3', 'failed', 400],
    ]);
    for (const x of rows(r)) expect(x.error).toMatch(/^PUT \/resources\/accounts\/acct-\d answered 400: .+/);
    expect(summaryOf(r)).toMatchObject({ failed: 3, rejectsFile: join(dir, 'rejects.ndjson') });
    // The trait catalogue's GET got the same answer: the run went on without it, and says so.
    expect(summaryOf(r).warnings[0]).toMatch(/^Could not read Vitally's account trait catalogue: GET \/resources\/customFields\?model=accounts answered 400/);
    // The server did get the credential, each time: it is the echo that must not come back out.
    expect(h.received.map((q) => [q.method, q.headers.authorization])).toEqual([
      ['GET', BASIC],
      ['PUT', BASIC],
      ['PUT', BASIC],
      ['PUT', BASIC],
    ]);
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });

  it('with --token-file, and 200 answers that echo the token in the record and in headers: rows ok, nothing leaks', async () => {
    h = await hostile((req, res) =>
      json(res, 200, echoRecord(req, { traits: { seenAuth: req.headers.authorization, seenToken: tokenOf(req.headers.authorization) } }), {
        'x-echo-authorization': req.headers.authorization ?? '',
        [`x-${tokenOf(req.headers.authorization)}`]: 'a header named by the token',
      }),
    );
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(3));
    const tokenFile = writeTemp(tempDir(), 'token', `${TOKEN}\n`);
    const args = [
      'push',
      file,
      '--object',
      'account',
      '--token-file',
      tokenFile,
      '--log-requests',
      join(dir, 'requests.ndjson'),
      '--state',
      join(dir, 'state.db'),
    ];
    const r = await runCli(args, { env: { VITALLY_BASE_URL: h.url } });

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/row 1 +ok +updated +acct-1 +200 +id id-acct-1/);
    expect(r.stdout).toContain('Done: 3 rows (3 ok, 0 skipped, 0 failed): updated 3');
    expect(h.received.every((q) => q.headers.authorization === BASIC)).toBe(true);
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });

  it('a 401 whose body echoes the header: exit 3, and the message names the setting, not the token', async () => {
    h = await hostile((req, res) => json(res, 401, { error: `Unauthorized: ${req.headers.authorization}` }));
    const dir = tempDir();
    const r = await runCli(['push', writeTemp(dir, 'a.csv', accountsCsv(2)), '--object', 'account', '--rejects', join(dir, 'rejects.ndjson')], {
      env: { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`VITALLY_API_TOKEN was refused (401 Unauthorized) at ${h.url}`);
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });
});

describe('doctor against a server that echoes the credential', () => {
  it.each([
    ['a 500 error page', 500, 1, /answered 500/],
    ['a 401 (the doctor then tries the other forms of the token)', 401, 3, /refused/],
    ['a 200 that is not Vitally', 200, 0, /answered 200 in \d+ ms, but not with Vitally's/],
  ] as const)('%s: the verdict, its exit code, and no token, from the environment or --token-file, as text or JSON', async (_name, status, code, says) => {
    h = await hostile((req, res) => {
      const auth = req.headers.authorization ?? '';
      const text = `{"error":"seen ${auth} for ${tokenOf(auth)}, that is ${'x'.repeat(440)}${uEscaped(tokenOf(auth))}"}`;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(text);
    });
    const dir = tempDir();
    const tokenFile = writeTemp(dir, 'token', TOKEN);
    for (const [args, env] of [
      [[], { VITALLY_API_TOKEN: TOKEN }],
      [['--token-file', tokenFile], {}],
      [['--json'], { VITALLY_API_TOKEN: TOKEN }],
      [['--json', '--token-file', tokenFile], {}],
    ] as const) {
      const r = await runCli(['doctor', '--no-config', '--base-url', h.url, ...args], { env: { ...env } });
      expect(r.code).toBe(code);
      expect(r.stdout).toMatch(says);
      expectNoToken({ stdout: r.stdout, stderr: r.stderr });
    }
    expect(h.received[0]).toMatchObject({ method: 'GET', path: '/resources/accounts?limit=1' });
    expect(h.received[0]!.headers.authorization).toBe(BASIC);
  });
});

describe('fields and init with --token-file against a server that echoes the credential', () => {
  const catalogue = (auth: string) => [
    { model: 'accounts', label: `Plan (${auth})`, path: 'plan', type: 'string' },
    { model: 'accounts', label: 'Seats', path: `seats_${tokenOf(auth)}`, type: 'number' },
  ];

  it('fields: a catalogue whose labels and keys hold the token is listed, and stored, without it', async () => {
    h = await hostile((req, res) => json(res, 200, catalogue(req.headers.authorization ?? ''), { 'x-echo': req.headers.authorization ?? '' }));
    const dir = tempDir();
    const tokenFile = writeTemp(tempDir(), 'token', TOKEN);
    for (const json of [[], ['--json']]) {
      const r = await runCli(['fields', '--object', 'account', '--base-url', h.url, '--token-file', tokenFile, '--state', join(dir, 'state.db'), ...json], {
        env: {},
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Plan (***)');
      expect(r.stdout).toContain('seats_***');
      expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
    }
    expect(h.received.map((q) => [q.path, q.headers.authorization])).toEqual([
      ['/resources/customFields?model=accounts', BASIC],
      ['/resources/customFields?model=accounts', BASIC],
    ]);
  });

  it('fields: a catalogue whose label holds the token \\u-escaped is listed, and stored, without it', async () => {
    h = await hostile((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`[{"model":"accounts","label":"Plan ${uEscaped(tokenOf(req.headers.authorization))}","path":"plan","type":"string"}]`);
    });
    const dir = tempDir();
    const r = await runCli(['fields', '--object', 'account', '--base-url', h.url, '--state', join(dir, 'state.db')], { env: { VITALLY_API_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Plan \*\*\* +plan +string/m);
    expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
  });

  it('fields: an error body echoing the header: exit 2 with the error, without the token', async () => {
    h = await hostile((req, res) => json(res, 400, { message: `${'.'.repeat(470)}${tokenOf(req.headers.authorization)} via ${req.headers.authorization}` }));
    const tokenFile = writeTemp(tempDir(), 'token', TOKEN);
    const r = await runCli(['fields', '--object', 'account', '--no-state', '--base-url', h.url, '--token-file', tokenFile], { env: {} });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Could not read Vitally's account trait catalogue: GET \/resources\/customFields\?model=accounts answered 400/);
    expectNoToken({ stdout: r.stdout, stderr: r.stderr });
  });

  it.each([
    ['an error body echoing the header', 400, (auth: string) => ({ error: `no access for ${auth} (${tokenOf(auth)})` }), /could not be read \(.*answered 400/],
    ['a catalogue holding the token', 200, catalogue, /2 custom traits \(asked of Vitally\)|"catalogue":\{"from":"vitally","fields":2\}/],
  ] as const)('init: %s: the proposal and the config file it writes never hold the token', async (_name, status, body, says) => {
    h = await hostile((req, res) => json(res, status, body(req.headers.authorization ?? '')));
    const dir = tempDir();
    const file = writeTemp(dir, 'export.csv', 'id,company_name,plan,seats\na1,Acme,pro,3\n');
    const tokenFile = writeTemp(tempDir(), 'token', TOKEN);
    for (const json of [[], ['--json']]) {
      const r = await runCli(
        [
          'init',
          file,
          '--object',
          'account',
          '--config',
          join(dir, 'vitally-sync.config.json'),
          '--force',
          '--no-state',
          '--base-url',
          h.url,
          '--token-file',
          tokenFile,
          ...json,
        ],
        { env: {} },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(says);
      expectNoToken({ stdout: r.stdout, stderr: r.stderr, ...filesIn(dir) });
    }
    expect(h.received.every((q) => q.headers.authorization === BASIC)).toBe(true);
  });
});

describe('a redirect to another host', () => {
  let other: Hostile | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('is never followed: push fails each row naming the Location, doctor says what to fix, and the other host gets nothing', async () => {
    other = await hostile((req, res) => json(res, 200, echoRecord(req)));
    const elsewhere = other.url.replace('127.0.0.1', 'localhost');
    h = await hostile((req, res) => res.writeHead(307, { location: `${elsewhere}${req.path}` }).end());
    const dir = tempDir();
    const r = await runCli(['push', writeTemp(dir, 'a.csv', accountsCsv(2)), '--object', 'account', '--json', '--log-requests', join(dir, 'log.ndjson')], {
      env: { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
    });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.status, x.httpStatus, x.error])).toEqual(
      [1, 2].map((i) => [
        'failed',
        307,
        `PUT /resources/accounts/acct-${i} answered 307, a redirect to ${elsewhere}/resources/accounts/acct-${i}: not followed (the token is sent to the configured host only). Check --base-url: it must be the API root itself`,
      ]),
    );
    // Not retried either: the same request would be sent off the same way (the first is the trait catalogue's).
    expect(h.received.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /resources/customFields?model=accounts',
      'PUT /resources/accounts/acct-1',
      'PUT /resources/accounts/acct-2',
    ]);

    const d = await runCli(['doctor', '--no-config', '--base-url', h.url], { env: { VITALLY_API_TOKEN: TOKEN } });
    expect(d.code).toBe(2);
    expect(d.stdout).toContain(`answered 307: a redirect to ${elsewhere}/resources/accounts?limit=1, not followed`);
    expect(d.stdout).toContain('fix: --base-url must be the REST API root itself.');

    expect(other.received).toEqual([]);
    expectNoToken({ stdout: r.stdout + d.stdout, stderr: r.stderr + d.stderr, ...filesIn(dir) });
  });
});
