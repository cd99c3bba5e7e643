/**
 * `vitally-sync sandbox`: its flags as sandbox options, a port already taken (exit 2), and the real
 * binary (bin/vitally-sync.js runs dist/, which `npm test` builds first) serving the live profile.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sandboxOptions } from '../../src/cli/sandbox.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { runCli, tempDir, writeTemp } from '../helpers/cli.js';
import { basic, rest } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'vitally-sync.js');

let sb: Sandbox | undefined;
let holder: Server | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
  await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  holder = undefined;
});

describe('vitally-sync sandbox: behaviour flags', () => {
  it('passes only the behaviour flags given, so the profile decides the rest', () => {
    expect(sandboxOptions({ profile: 'live' })).toMatchObject({ profile: 'live' });
    expect(sandboxOptions({ profile: 'live' })).not.toHaveProperty('accountRename');
    const all = sandboxOptions({
      profile: 'docs',
      putUnknown: 'create',
      postExisting: 'duplicate',
      userLinks: 'merge',
      accountRename: 'refuse',
      rateHeaders: 'x-ratelimit',
      rateReset: 'epoch',
      rateWindow: 'fixed',
      retryAfter: true,
      writeCost: '5',
      organizations: false,
      analyticsApply: 'deferred',
      analyticsDelay: '250',
    });
    expect(all).toMatchObject({
      profile: 'docs',
      putUnknown: 'create',
      postExisting: 'duplicate',
      userLinks: 'merge',
      accountRename: 'refuse',
      rateLimitHeaders: 'x-ratelimit',
      rateLimitReset: 'epoch',
      rateLimitWindow: 'fixed',
      retryAfter: true,
      writeCost: 5,
      organizations: false,
      analyticsApply: 'deferred',
      analyticsDelayMs: 250,
    });
    expect(sandboxOptions({ retryAfter: false }).retryAfter).toBe(false);
    expect(sandboxOptions({ organizations: true })).not.toHaveProperty('organizations');
  });

  it('refuses bad flag values naming the flag', async () => {
    expect(() => sandboxOptions({ writeCost: '0' })).toThrow('--write-cost "0" must be a whole number from 1 to 1000000');
    expect(() => sandboxOptions({ analyticsDelay: 'soon' })).toThrow('--analytics-delay "soon" must be a whole number');
    expect(() => sandboxOptions({ customObjects: '/nonexistent/objects.json' })).toThrow('--custom-objects /nonexistent/objects.json: no such file');
    const dir = tempDir();
    expect(() => sandboxOptions({ customObjects: writeTemp(dir, 'o.json', '{"name": "x"}') })).toThrow('expected a JSON array');
    const bad = await runCli(['sandbox', '--post-existing', 'ignore']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("argument 'ignore' is invalid. Allowed choices are update, conflict, duplicate");
  });

  it('a sandbox made from the flags behaves as they say over HTTP', async () => {
    const dir = tempDir();
    const objects = writeTemp(
      dir,
      'objects.json',
      JSON.stringify([{ id: 'co-1', name: 'subscription', fields: [{ label: 'Seats', path: 'seats', type: 'number' }] }]),
    );
    sb = await createSandbox(sandboxOptions({ profile: 'live', accountRename: 'accept', organizations: false, customObjects: objects }));
    await rest(sb, 'POST', '/resources/accounts', { externalId: 'a', name: 'A', traits: { mrr: 1 } });
    const renamed = await rest(sb, 'PUT', '/resources/accounts/a', { name: 'B' });
    expect(renamed.json).toMatchObject({ name: 'B', mrr: 1 });
    expect(renamed.headers['x-ratelimit-reset']).toEqual(expect.stringMatching(/^\d{10}$/));
    expect((await rest(sb, 'GET', '/resources/organizations')).status).toBe(403);
    expect((await rest(sb, 'GET', '/resources/customObjects')).json.results).toEqual([expect.objectContaining({ id: 'co-1', name: 'subscription' })]);
  });

  it('a port already taken is a usage error (exit 2) saying so, not an internal one', async () => {
    holder = createServer((_req, res) => res.end());
    await new Promise<void>((resolve) => holder!.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    const run = await runCli(['sandbox', '--port', String(port)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`vitally-sync: port ${port} on 127.0.0.1 is already in use: choose another port, or 0 for a free one\n`);
    expect(run.stdout).toBe('');
    await expect(createSandbox({ port })).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it('the built binary serves --profile live until Ctrl-C, saying which profile and options it plays', async () => {
    if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const dir = tempDir();
    const objects = writeTemp(dir, 'objects.json', JSON.stringify([{ id: 'co-9', name: 'ticket' }]));
    const child = spawn(process.execPath, [BIN, 'sandbox', '--profile', 'live', '--post-existing', 'conflict', '--custom-objects', objects], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Press Ctrl-C')) resolve();
      });
      child.on('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    try {
      expect(out).toContain('fixed window');
      expect(out).toContain('Profile: live with postExisting=conflict');
      expect(out).toContain('Custom object ticket: id co-9');
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1] as string;
      const token = /REST token: (\S+)/.exec(out)?.[1] as string;
      const { request } = await import('undici');
      const res = await request(`${url}/resources/accounts`, { headers: { authorization: basic(token) } });
      expect(await res.body.json()).toEqual({ results: [], next: null });
      expect(res.headers['x-ratelimit-limit']).toBe('1000');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('declares the flags with their help', async () => {
    const help = await runCli(['sandbox', '--help']);
    for (const flag of [
      '--profile <name>',
      '--put-unknown <answer>',
      '--post-existing <answer>',
      '--user-links <how>',
      '--account-rename <answer>',
      '--rate-headers <family>',
      '--rate-reset <meaning>',
      '--rate-window <kind>',
      '--retry-after',
      '--no-retry-after',
      '--write-cost <n>',
      '--no-organizations',
      '--custom-objects <file>',
      '--analytics-apply <when>',
      '--analytics-delay <ms>',
    ]) {
      expect(help.stdout).toContain(flag);
    }
    expect(help.stdout).toContain('docs/sandbox.md');
  });
});
