/**
 * Behind a proxy: every request of both APIs goes through a CONNECT tunnel of a small proxy written here,
 * to the sandbox behind it; the proxy's password is kept out of everything printed and written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { push } from '../../src/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { connectProxy, type TestProxy } from '../helpers/proxy.js';
import { errorOf, rows, runCli, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

let proxy: TestProxy | undefined;
afterEach(() => proxy?.close());

const PASSWORD = 'pr0xy-s3cret-pw';
const sandboxHost = () => new URL(sb.url).host;
const accounts = () => writeTemp(dir, 'accounts.csv', 'externalId,name\nacme,Acme\nglobex,Globex\n');

describe('HTTP_PROXY, HTTPS_PROXY and NO_PROXY', () => {
  it('a push goes through the proxy: REST requests through its tunnel, the records land, the password is never shown', async () => {
    proxy = await connectProxy({ user: 'etl', password: PASSWORD });
    const log = join(dir, 'requests.ndjson');
    const proxied = { ...env, HTTP_PROXY: `http://etl:${PASSWORD}@127.0.0.1:${proxy.port}` };
    const r = await runCli(['push', accounts(), '--object', 'account', '--json', '--log-requests', log, '--rejects', join(dir, 'rejects.ndjson')], {
      env: proxied,
    });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => x.status)).toEqual(['ok', 'ok']);
    expect(
      sb.store
        .all('accounts')
        .map((a) => a.externalId)
        .sort(),
    ).toEqual(['acme', 'globex']);
    expect(proxy.tunnels.length).toBeGreaterThan(0);
    for (const t of proxy.tunnels) expect(t).toEqual({ target: sandboxHost(), authorization: `Basic ${Buffer.from(`etl:${PASSWORD}`).toString('base64')}` });
    for (const text of [r.stdout, r.stderr, readFileSync(log, 'utf8')]) expect(text).not.toContain(PASSWORD);
  });

  it('the Analytics API goes through it too', async () => {
    proxy = await connectProxy();
    const events = writeTemp(dir, 'events.csv', 'user_id,event_name\nu1,signed_up\n');
    const r = await runCli(['push', events, '--object', 'event', '--event-column', 'event_name', '--map', 'user_id=userId', '--json'], {
      env: { ...env, HTTP_PROXY: proxy.url },
    });
    expect(r.code).toBe(0);
    expect(rows(r)[0]).toMatchObject({ status: 'accepted', action: 'accepted' });
    expect(sb.requests.filter((q) => q.api === 'analytics')).not.toHaveLength(0);
    expect(proxy.tunnels.map((t) => t.target)).toContain(sandboxHost());
  });

  it('NO_PROXY naming the host: no tunnel, the requests go straight to it', async () => {
    proxy = await connectProxy();
    const r = await runCli(['push', accounts(), '--object', 'account'], { env: { ...env, HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' } });
    expect(r.code).toBe(0);
    expect(sb.store.all('accounts')).toHaveLength(2);
    expect(proxy.tunnels).toEqual([]);
  });

  it('a proxy that wants credentials it was not given: exit 2 before any row is sent, naming the variable, the password hidden', async () => {
    proxy = await connectProxy({ user: 'etl', password: PASSWORD });
    const r = await runCli(['push', accounts(), '--object', 'account', '--json'], {
      env: { ...env, HTTP_PROXY: `http://etl:wrong-${PASSWORD}@127.0.0.1:${proxy.port}` },
    });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'CONFIG_INVALID_PROXY', exitCode: 2 });
    expect(errorOf(r).message).toBe(
      `The proxy http://etl:***@127.0.0.1:${proxy.port}/ (HTTP_PROXY) asks for credentials (407): give them in HTTP_PROXY as http://user:password@host:port`,
    );
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    expect(sb.requests).toEqual([]);
  });

  it('a proxy that never answers CONNECT: --connect-timeout bounds the tunnel, and the rows fail with it', async () => {
    proxy = await connectProxy({ silent: true });
    // --types as-read: no trait catalogue to read first, so the rows are the first requests.
    const r = await runCli(['push', accounts(), '--object', 'account', '--json', '--types', 'as-read', '--connect-timeout', '300', '--max-retries', '0'], {
      env: { ...env, HTTP_PROXY: proxy.url },
    });
    expect(r.code).toBe(1);
    for (const x of rows(r)) {
      expect(x).toMatchObject({
        status: 'failed',
        error: expect.stringContaining(`connecting to ${sb.url} through the proxy ${proxy.url} took longer than 300 ms (--connect-timeout)`),
      });
    }
    expect(sb.requests).toEqual([]);
  });

  it('a proxy variable that is not a URL: exit 2 with its own code, nothing sent', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--json'], { env: { ...env, HTTP_PROXY: 'http://[::1' } });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'CONFIG_INVALID_PROXY', message: expect.stringContaining('HTTP_PROXY is not a URL') });
    expect(sb.requests).toEqual([]);
  });

  it('doctor says which proxy it used, and its probe went through it', async () => {
    proxy = await connectProxy({ user: 'etl', password: PASSWORD });
    const r = await runCli(['doctor', '--no-config', '--json'], { env: { ...env, HTTP_PROXY: `http://etl:${PASSWORD}@127.0.0.1:${proxy.port}` } });
    expect(r.code).toBe(0);
    const checks = JSON.parse(r.stdout).checks as Array<{ id: string; status: string; detail: string }>;
    expect(checks.find((c) => c.id === 'proxy')).toEqual({
      id: 'proxy',
      title: 'proxy',
      status: 'ok',
      detail: `http://etl:***@127.0.0.1:${proxy.port}/ (HTTP_PROXY) for ${sb.url}`,
    });
    // One probe per API (the sandbox serves both), each through a tunnel of its own.
    expect(sb.requests.map((q) => q.path)).toEqual(['/resources/accounts?limit=1', '/analytics/v1/batch']);
    expect(proxy.tunnels.map((t) => t.target)).toEqual([sandboxHost(), sandboxHost()]);
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);

    const direct = await runCli(['doctor', '--no-config', '--json'], { env });
    expect(JSON.parse(direct.stdout).checks.find((c: { id: string }) => c.id === 'proxy')).toMatchObject({
      status: 'skip',
      detail: `none for ${sb.url} (HTTP_PROXY is not set)`,
    });
  });

  it('push() reads the proxy from the environment it is given', async () => {
    proxy = await connectProxy();
    const run = await push({ input: accounts(), object: 'account', baseUrl: sb.url, token: sb.token, state: false, env: { HTTP_PROXY: proxy.url } });
    expect((await run.summary).ok).toBe(2);
    expect(proxy.tunnels.map((t) => t.target)).toContain(sandboxHost());
  });
});
