import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { doctorCommand } from '../../src/cli/doctor.js';
import type { CliIO } from '../../src/cli/io.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv, tempDir, writeTemp } from '../helpers/cli.js';
import { Readable } from 'node:stream';

let sb: Sandbox;
let env: Record<string, string>;
let closedUrl: string;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  sb = await createSandbox();
  env = sandboxEnv(sb);
  closedUrl = `http://127.0.0.1:${await closedPort()}`;
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const doctor = (args: string[], e: Record<string, string | undefined>) => runCli(['doctor', '--no-config', '--json', ...args], { env: e });
const verdict = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!) as { ok: boolean; exitCode: number; checks: Array<Record<string, string>> };
const check = (stdout: string, id: string) => verdict(stdout).checks.find((c) => c.id === id)!;

describe('doctor: REST', () => {
  it('all is well: exit 0, one cheap request, nothing created', async () => {
    const r = await doctor([], env);
    expect(r.code).toBe(0);
    expect(verdict(r.stdout)).toMatchObject({ ok: true, exitCode: 0 });
    expect(check(r.stdout, 'rest')).toMatchObject({ status: 'ok' });
    expect(check(r.stdout, 'rest').detail).toContain('rate limit 1000');
    expect(check(r.stdout, 'analytics').status).toBe('skip');
    expect(sb.requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['GET /resources/accounts?limit=1 200']);
    expect(sb.stats.writes).toBe(0);
  });

  it('prints plain lines when not on a terminal: no spinner, no colour', async () => {
    const r = await runCli(['doctor', '--no-config'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}REST API/m);
    expect(r.stdout).toContain('All good');
    expect(r.stdout).not.toContain('\x1b[');
    expect(r.stderr).toBe('');
  });

  it('a refused token: exit 3, says what the token must be, never prints it', async () => {
    const wrong = 'sk_live_notarealtoken123';
    const r = await runCli(['doctor', '--no-config'], { env: { ...env, VITALLY_API_TOKEN: wrong } });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^FAIL {2}REST API .*refused VITALLY_API_TOKEN \(401 Unauthorized\)/m);
    expect(r.stdout).toContain('Secret Token');
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(wrong);
      expect(out).not.toContain(Buffer.from(`${wrong}:`).toString('base64'));
    }
  });

  it('the Analytics token given as the REST token: recognised by trying it on the Analytics API', async () => {
    const r = await doctor([], { ...env, VITALLY_API_TOKEN: sb.analyticsToken });
    expect(r.code).toBe(3);
    const rest = check(r.stdout, 'rest');
    expect(rest).toMatchObject({ status: 'fail', problem: 'auth' });
    expect(rest.fix).toContain('VITALLY_API_TOKEN holds your Analytics API token');
    // Recognised from Vitally's answers, not from the sandbox's hint: the probe that told was an accepted Analytics request.
    expect(sb.requests.map((q) => `${q.api} ${q.status}`)).toEqual(['rest 401', 'analytics 200']);
    expect(sb.stats.messages.applied).toBe(0);
  });

  it('the base64 half of the "Basic" header pasted alone: sent as it is, and accepted', async () => {
    const half = Buffer.from(`${sb.token}:`).toString('base64');
    const r = await doctor([], { ...env, VITALLY_API_TOKEN: half });
    expect(r.code).toBe(0);
    expect(check(r.stdout, 'rest').status).toBe('ok');
    expect(check(r.stdout, 'token').detail).toContain('the base64 part of a "Basic ..." header (sent as it is)');
    expect(sb.requests.find((q) => q.api === 'rest')?.status).toBe(200);
    expect(r.stdout).not.toContain(half);
  });

  it('a missing token: exit 2 and no request', async () => {
    const r = await doctor([], { VITALLY_BASE_URL: sb.url });
    expect(r.code).toBe(2);
    expect(check(r.stdout, 'token')).toMatchObject({ status: 'fail', problem: 'config' });
    expect(check(r.stdout, 'token').fix).toContain('VITALLY_API_TOKEN');
    expect(check(r.stdout, 'rest').status).toBe('skip');
    expect(sb.requests).toHaveLength(0);
  });

  it('nothing listening at the host: exit 2, "nothing answers"', async () => {
    const r = await doctor(['--base-url', closedUrl], env);
    expect(r.code).toBe(2);
    expect(check(r.stdout, 'rest')).toMatchObject({ status: 'fail', problem: 'config' });
    expect(check(r.stdout, 'rest').detail).toContain('ECONNREFUSED');
    expect(check(r.stdout, 'rest').fix).toContain(`Nothing answers at ${closedUrl}`);
  });

  it('a base URL whose path is not the API root (404): exit 2, "the host alone"', async () => {
    const r = await doctor(['--base-url', `${sb.url}/vitally`], env);
    expect(r.code).toBe(2);
    expect(check(r.stdout, 'rest').detail).toContain('answered 404');
    expect(check(r.stdout, 'rest').fix).toContain('the host alone');
  });

  it('plain http to a host that is not this machine: exit 2 before any request', async () => {
    const r = await doctor(['--base-url', 'http://vitally.example.com'], env);
    expect(r.code).toBe(2);
    expect(check(r.stdout, 'host')).toMatchObject({ status: 'fail', problem: 'config' });
    expect(check(r.stdout, 'host').detail).toContain('plain http');
    expect(sb.requests).toHaveLength(0);
  });

  it('a US subdomain unknown to the region, while the EU host knows the token: "use --region eu"', async () => {
    // The sandbox stands in for the EU host, a closed port for acme's US host.
    let out = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      env: { VITALLY_API_TOKEN: sb.token },
      signals: false,
    };
    const code = await doctorCommand({ config: false, json: true, region: 'us', subdomain: 'acme' }, io, {
      hosts: { us: () => closedUrl, eu: sb.url },
    });
    expect(code).toBe(2);
    expect(check(out, 'host').detail).toBe(`${closedUrl} (region us, subdomain acme)`);
    expect(check(out, 'rest')).toMatchObject({ status: 'fail', problem: 'config' });
    expect(check(out, 'rest').fix).toContain('Use --region eu');
  });

  it('no subdomain for a US tenant, but the token works in the EU: the host check says --region eu', async () => {
    let out = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      env: { VITALLY_API_TOKEN: sb.token },
      signals: false,
    };
    const code = await doctorCommand({ config: false, json: true }, io, { hosts: { us: () => closedUrl, eu: sb.url } });
    expect(code).toBe(2);
    expect(check(out, 'host').fix).toContain('add --region eu');
  });
});

describe('doctor: Analytics', () => {
  it('configured and good: both APIs checked, exit 0, nothing created', async () => {
    const r = await doctor([], { ...env, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken });
    expect(r.code).toBe(0);
    expect(check(r.stdout, 'analytics')).toMatchObject({ status: 'ok' });
    expect(sb.requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual(['GET /resources/accounts?limit=1 200', 'POST /analytics/v1/batch 200']);
    expect(sb.stats.messages.applied).toBe(0);
  });

  it('the REST token used as the Analytics token: exit 3, says so', async () => {
    const r = await doctor([], { ...env, VITALLY_ANALYTICS_TOKEN: sb.token });
    expect(r.code).toBe(3);
    expect(check(r.stdout, 'rest').status).toBe('ok');
    expect(check(r.stdout, 'analytics')).toMatchObject({ status: 'fail', problem: 'auth' });
    expect(check(r.stdout, 'analytics').fix).toContain('VITALLY_ANALYTICS_TOKEN holds your REST API token');
  });

  it('the two tokens swapped: both checks say so', async () => {
    const r = await doctor([], { ...env, VITALLY_API_TOKEN: sb.analyticsToken, VITALLY_ANALYTICS_TOKEN: sb.token });
    expect(r.code).toBe(3);
    expect(check(r.stdout, 'rest').fix).toContain('swapped');
    expect(check(r.stdout, 'analytics').fix).toContain('swapped');
  });

  it('from a token file, and a bad Analytics token is named by its file', async () => {
    const dir = tempDir();
    const good = writeTemp(dir, 'analytics-token', `${sb.analyticsToken}\n`);
    expect((await doctor(['--analytics-token-file', good], env)).code).toBe(0);
    const bad = writeTemp(dir, 'bad-token', 'an_live_wrong_wrong_wrong\n');
    const r = await doctor(['--analytics-token-file', bad], env);
    expect(r.code).toBe(3);
    expect(check(r.stdout, 'analytics').detail).toContain(`refused the token in ${bad}`);
  });

  it('EU without an Analytics host: a configuration problem naming --analytics-base-url', async () => {
    let out = '';
    const io: CliIO = {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
      stdin: Readable.from([]),
      env: { VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken },
      signals: false,
    };
    // The sandbox stands in for the EU REST host; the Analytics API's EU host is not documented.
    const code = await doctorCommand({ config: false, json: true, region: 'eu' }, io, { hosts: { us: () => closedUrl, eu: sb.url } });
    expect(code).toBe(2);
    expect(check(out, 'rest').status).toBe('ok');
    expect(check(out, 'analytics')).toMatchObject({ status: 'fail', problem: 'config' });
    expect(check(out, 'analytics').fix).toContain('--analytics-base-url');
  });
});

describe('doctor: the config file', () => {
  it('reads connection settings from it, and reports a broken one', async () => {
    const dir = tempDir();
    const tokenFile = writeTemp(dir, 'token', sb.token);
    const cfg = writeTemp(dir, 'vitally-sync.config.json', JSON.stringify({ connection: { baseUrl: sb.url, tokenFile: 'token' }, syncs: {} }));
    const r = await runCli(['doctor', '--config', cfg, '--json'], { env: {} });
    expect(r.code).toBe(0);
    expect(check(r.stdout, 'config')).toMatchObject({ status: 'ok' });
    expect(check(r.stdout, 'token').detail).toContain(tokenFile);

    const broken = writeTemp(dir, 'broken.json', JSON.stringify({ connection: { regoin: 'eu' } }));
    const b = await runCli(['doctor', '--config', broken, '--json'], { env });
    expect(b.code).toBe(2);
    expect(check(b.stdout, 'config').detail).toContain('connection.regoin: unknown setting (did you mean "region"?)');
  });
});
