import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { restBaseUrl } from '../../src/vitally/hosts.js';
import { rowRequests, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

const accounts = () => writeTemp(dir, 'ok.csv', 'externalId,name\na1,A\na2,B\n');

describe('authentication', () => {
  it('accepts the token as given, as a pasted "Basic ..." header value, and from --token-file', async () => {
    const basic = `Basic ${Buffer.from(`${sb.token}:`).toString('base64')}`;
    expect((await runCli(['push', accounts(), '--object', 'account'], { env })).code).toBe(0);
    expect((await runCli(['push', accounts(), '--object', 'account'], { env: { ...env, VITALLY_API_TOKEN: basic } })).code).toBe(0);
    const tokenFile = writeTemp(dir, 'token', `${sb.token}\n`);
    const r = await runCli(['push', accounts(), '--object', 'account', '--token-file', tokenFile], { env: { VITALLY_BASE_URL: sb.url } });
    expect(r.code).toBe(0);
  });

  it('a 401 stops the run at once with exit 3, one message naming the token setting, and no token printed', async () => {
    const lines = ['externalId,name', ...Array.from({ length: 30 }, (_, i) => `k${i},N${i}`)];
    const file = writeTemp(dir, 'many.csv', lines.join('\n'));
    const wrong = 'sk_live_wrongwrongwrong';
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env: { ...env, VITALLY_API_TOKEN: wrong } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('VITALLY_API_TOKEN was refused (401 Unauthorized)');
    expect(r.stderr.match(/401/g)).toHaveLength(1);
    expect(rows(r)).toHaveLength(0);
    expect(sb.requests.length).toBeLessThanOrEqual(4); // the requests already in flight, no more
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(wrong);
      expect(out).not.toContain(Buffer.from(`${wrong}:`).toString('base64'));
    }
  });

  it('never prints the token, even when Vitally echoes it back', async () => {
    const file = writeTemp(dir, 'echo.csv', `externalId,name\n${sb.token},Echo\n`);
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.stdout).not.toContain(sb.token);
    expect(r.stdout).toContain('***');
  });
});

describe('configuration errors exit 2 before any request', () => {
  it.each([
    [['--object', 'account'], {}, 'No REST API token'],
    [['--object', 'account'], { VITALLY_BASE_URL: '', VITALLY_API_TOKEN: 'sk_x' }, 'US tenants need --subdomain'],
    [['--object', 'account', '--subdomain', 'not a domain!'], { VITALLY_API_TOKEN: 'sk_x' }, '--subdomain "not a domain!" is not valid'],
    [['--object', 'account', '--base-url', 'http://example.com'], { VITALLY_API_TOKEN: 'sk_x' }, 'plain http to example.com'],
    [['--object', 'account', '--region', 'asia'], { VITALLY_API_TOKEN: 'sk_x' }, '--region "asia" is not known'],
    [['--object', 'widget'], {}, 'Unknown --object "widget"'],
    [['--object', 'account', '--mode', 'merge'], {}, '--mode "merge" is not known'],
    [['--object', 'account', '--map', 'mrr'], {}, '--map "mrr": expected source=target'],
    [['--object', 'account', '--concurrency', '0'], {}, '--concurrency "0" must be a whole number from 1 to 64'],
    [['--object', 'account', '--token-file', '/nonexistent/token'], {}, '--token-file /nonexistent/token: no such file'],
    [['--object', 'account', '--format', 'xml'], {}, '--format "xml"'],
    // A flag that would have no effect is refused rather than ignored.
    [['--object', 'account', '--batch-size', '50'], {}, '--batch-size is for the Analytics API'],
    [['--object', 'account', '--full'], { VITALLY_API_TOKEN: 'sk_x' }, '--full re-sends the rows the state store would skip'],
    [['--object', 'account', '--max-deletes', '5'], { VITALLY_API_TOKEN: 'sk_x' }, '--max-deletes bounds --delete-missing'],
    [['--object', 'account', '--format', 'ndjson', '--delimiter', ';'], {}, '--delimiter is for CSV input'],
  ] as const)('%j', async (args, extraEnv, message) => {
    const r = await runCli(['push', accounts(), ...args], { env: { VITALLY_BASE_URL: sb.url, ...extraEnv } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sb.requests).toHaveLength(0);
  });

  it('an unwritable --rejects path stops before sending', async () => {
    // A file stands where the folder would be made.
    const notAFolder = accounts();
    const r = await runCli(['push', accounts(), '--object', 'account', '--rejects', join(notAFolder, 'r.ndjson')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--rejects ${join(notAFolder, 'r.ndjson')}: cannot be written (${notAFolder} is a file, not a folder)`);
    expect(sb.requests).toHaveLength(0);
  });

  it("a --rejects file's folder is made when it does not exist", async () => {
    const path = join(dir, 'out', 'today', 'rejects.ndjson');
    const r = await runCli(['push', writeTemp(dir, 'one-bad.csv', 'externalId,name\na1,\n'), '--object', 'account', '--rejects', path], { env });
    expect(r.code).toBe(1);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ row: 1, key: 'a1', error: 'name: required to create an account' });
  });

  it('push --help lists every object type for --object, events and custom objects included', async () => {
    const r = await runCli(['push', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('account, user, organization, note, task, conversation, message, nps, event or custom:<name>');
  });

  it('unknown flags are usage errors', async () => {
    const r = await runCli(['push', accounts(), '--objekt', 'account'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--objekt'");
  });
});

describe('hosts', () => {
  it.each([
    [{ region: 'us', subdomain: 'acme' }, 'https://acme.rest.vitally.io'],
    [{ region: 'us', subdomain: 'https://Acme.vitally.io/home' }, 'https://acme.rest.vitally.io'],
    [{ region: 'eu' }, 'https://rest.vitally-eu.io'],
    [{ region: 'eu', baseUrl: 'http://127.0.0.1:9/' }, 'http://127.0.0.1:9'],
    [{ region: 'us', baseUrl: 'https://proxy.example/vitally/' }, 'https://proxy.example/vitally'],
  ] as const)('%j -> %s', (settings, url) => {
    expect(restBaseUrl(settings)).toBe(url);
  });
});

describe('bad input', () => {
  it.each([
    ['a missing file', join('/nonexistent', 'x.csv'), 'Input file not found: /nonexistent/x.csv'],
    ['an empty file', 'EMPTY', 'is empty'],
  ])('%s exits 2 with a clear message', async (_what, path, message) => {
    const file = path === 'EMPTY' ? writeTemp(dir, 'empty.csv', '') : path;
    const r = await runCli(['push', file, '--object', 'account'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(sb.requests).toHaveLength(0);
  });

  it('a CSV row with too many fields fails alone; the others are sent', async () => {
    const file = writeTemp(dir, 'wide.csv', 'externalId,name\na1,A\na2,B,extra\na3,C\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.status])).toEqual([
      [1, 'ok'],
      [2, 'failed'],
      [3, 'ok'],
    ]);
    expect(rows(r)[1]!.error).toMatch(/line 3/);
    expect(sb.store.all('accounts')).toHaveLength(2);
  });

  it('an unclosed quote fails from its line on, after the good rows', async () => {
    const file = writeTemp(dir, 'quote.csv', 'externalId,name\na1,A\na2,"B\na3,C\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({ row: 1, status: 'ok' });
    expect(rows(r).at(-1)).toMatchObject({ status: 'failed' });
    expect(rows(r).at(-1)!.error).toMatch(/unclosed quote/i);
    expect(rows(r).at(-1)!.error).toMatch(/line 3/);
  });

  it('NDJSON lines that are not JSON or not objects fail alone with their line numbers', async () => {
    const file = writeTemp(dir, 'bad.ndjson', '{"externalId":"a1","name":"A"}\n{nope\n\n[1,2]\n{"externalId":"a2","name":"B"}\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.status])).toEqual([
      [1, 'ok'],
      [2, 'failed'],
      [3, 'failed'],
      [4, 'ok'],
    ]);
    expect(rows(r)[1]!.error).toMatch(/line 2: not valid JSON/);
    expect(rows(r)[2]!.error).toMatch(/line 4: expected a JSON object, found an array/);
  });
});

describe('dry run', () => {
  it('sends nothing and prints exactly the requests a real run would send', async () => {
    const file = writeTemp(dir, 'dry.csv', 'externalId,name,mrr\nacme,Acme,5\n');
    const r = await runCli(['push', file, '--object', 'account', '--dry-run', '--json', '--map', 'mrr=traits.mrr:number'], {
      env: { VITALLY_BASE_URL: sb.url },
    });
    expect(r.code).toBe(0);
    expect(sb.requests).toHaveLength(0);
    expect(rows(r)[0]).toMatchObject({
      action: 'planned',
      requests: [
        { method: 'PUT', path: '/resources/accounts/acme', body: { name: 'Acme', traits: { mrr: 5 } } },
        { method: 'POST', path: '/resources/accounts', body: { externalId: 'acme', name: 'Acme', traits: { mrr: 5 } } },
      ],
    });
    // Bodies are printed as the JSON text that is sent, byte for byte (not re-escaped as strings).
    expect(r.stdout).toContain('"body":{"name":"Acme","traits":{"mrr":5}}');
    expect(r.stdout).toContain('"body":{"externalId":"acme","name":"Acme","traits":{"mrr":5}}');
    // The real run sends those very bodies.
    await runCli(['push', file, '--object', 'account', '--map', 'mrr=traits.mrr:number'], { env });
    expect(rowRequests(sb).map((q) => [q.method, q.path, q.body])).toEqual([
      ['PUT', '/resources/accounts/acme', '{"name":"Acme","traits":{"mrr":5}}'],
      ['POST', '/resources/accounts', '{"externalId":"acme","name":"Acme","traits":{"mrr":5}}'],
    ]);
    const human = await runCli(['push', file, '--object', 'account', '--dry-run'], { env: {} });
    // mrr is one of Vitally's own traits, a number: typed so without the catalogue too.
    expect(human.stdout).toContain('PUT /resources/accounts/acme {"name":"Acme","traits":{"mrr":5}}');
    expect(human.stdout).toContain('(only if the PUT answers 404)');
    expect(human.stdout).toContain("Trait types: mrr number (Vitally's type)");
  });
});

describe('exit codes and --sandbox', () => {
  it('push --sandbox runs the main job with no account', async () => {
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--sandbox', '--json'], { env: {} });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('in-process sandbox');
    expect(summaryOf(r)).toMatchObject({ rows: 4, ok: 4, byAction: { created: 4 } });
  });

  it('--help and --version exit 0', async () => {
    const help = await runCli(['push', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Exit codes');
    expect((await runCli(['--version'])).code).toBe(0);
  });

  it('a header-only file is no error: zero rows, exit 0', async () => {
    const file = writeTemp(dir, 'header.csv', 'externalId,name\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(summaryOf(r)).toMatchObject({ rows: 0 });
  });

  // /dev/full opens fine and answers every write with ENOSPC: a disk that fills up mid-run.
  it.skipIf(!existsSync('/dev/full'))('a --rejects file that cannot be written (disk full) is reported, not a crash', async () => {
    const file = writeTemp(dir, 'full-rejects.csv', 'externalId,name\na1,A\n,Nameless\n');
    const r = await runCli(['push', file, '--object', 'account', '--rejects', '/dev/full'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Done: 2 rows');
    expect(r.stderr).toContain('--rejects /dev/full: ENOSPC');
    expect(sb.store.get('accounts', 'a1')).toBeDefined();
  });

  it.skipIf(!existsSync('/dev/full'))('a --log-requests file that cannot be written (disk full) is reported, not a crash', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--log-requests', '/dev/full'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--log-requests /dev/full: ENOSPC');
    expect(sb.store.all('accounts')).toHaveLength(2);
  });

  it('writes rejects even when the rejects file already exists (it is replaced)', async () => {
    const rejects = join(dir, 'old-rejects.ndjson');
    writeFileSync(rejects, 'stale\n');
    const file = writeTemp(dir, 'one-bad.csv', 'externalId,name\n,Nameless\n');
    const r = await runCli(['push', file, '--object', 'account', '--rejects', rejects], { env });
    expect(r.code).toBe(1);
    expect((await import('node:fs')).readFileSync(rejects, 'utf8')).not.toContain('stale');
  });
});
