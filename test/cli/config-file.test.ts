import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile } from '../../src/config/file.js';
import { syncSources } from '../../src/config/file-sources.js';
import { resolvePushConfig } from '../../src/config/push.js';
import { findSecrets } from '../../src/config/secrets.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, rows, runCli, sandboxEnv, stderrJson, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let env: Record<string, string>;

beforeAll(async () => {
  sb = await createSandbox({ rateLimit: FAST_RATE });
  env = sandboxEnv(sb);
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

/** A fresh folder with the given files; returns its path. Each test gets its own (and its own state store). */
function folder(files: Record<string, string | object>): string {
  const dir = tempDir();
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  return dir;
}

const ACCOUNTS = 'externalId,name,mrr,seats\nacme,Acme,10,3\nglobex,Globex,20,5\n';
const ORGS = 'externalId,name\nholding,Holding Co\n';

describe('run <name>', () => {
  it('runs a named sync from vitally-sync.config.json: records land in the sandbox, as push would send them', async () => {
    const dir = folder({
      'accounts.csv': ACCOUNTS,
      'vitally-sync.config.json': {
        syncs: {
          accounts: { file: 'accounts.csv', object: 'account', map: { mrr: 'traits.mrr:number' }, types: { seats: 'number' }, rejects: 'rejects.ndjson' },
        },
      },
    });
    const r = await runCli(['run', 'accounts', '--config', join(dir, 'vitally-sync.config.json'), '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.action])).toEqual([
      ['acme', 'created'],
      ['globex', 'created'],
    ]);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme', traits: { mrr: 10, seats: 3 } });
    // Paths in the file are relative to the file; the state store sits next to it.
    expect(existsSync(join(dir, '.vitally-sync', 'state.db'))).toBe(true);
    const again = await runCli(['run', 'accounts', '--config', join(dir, 'vitally-sync.config.json'), '--json'], { env });
    expect(summaryOf(again)).toMatchObject({ skipped: 2 });
  });

  it("a flag overrides the file (and --map adds to the file's map)", async () => {
    const dir = folder({
      'accounts.csv': ACCOUNTS,
      'vitally-sync.config.json': { syncs: { accounts: { file: 'accounts.csv', object: 'account', mode: 'update', state: false } } },
    });
    const cfg = join(dir, 'vitally-sync.config.json');
    const asFiled = await runCli(['run', 'accounts', '--config', cfg, '--json'], { env });
    expect(asFiled.code).toBe(1); // update never creates: not_found
    expect(rows(asFiled).map((x) => x.action)).toEqual(['not_found', 'not_found']);
    const overridden = await runCli(['run', 'accounts', '--config', cfg, '--json', '--mode', 'upsert', '--map', 'mrr=traits.mrr:number'], { env });
    expect(overridden.code).toBe(0);
    expect(sb.store.get('accounts', 'globex')!.traits).toMatchObject({ mrr: 20 });
  });

  it('a setting with no effect in this run is left unused when it comes from the file, refused when given as a flag', async () => {
    const dir = folder({
      'accounts.csv': ACCOUNTS,
      'accounts.ndjson': '{"externalId":"acme","name":"Acme"}\n',
      'vitally-sync.config.json': {
        syncs: {
          // full without a store (--sandbox keeps none), maxDeletes with deletion off, batchSize on the REST
          // path, a delimiter for NDJSON: one file serves runs where they matter and runs where they do not.
          accounts: { file: 'accounts.csv', object: 'account', full: true, deleteMissing: false, maxDeletes: 5, batchSize: 50 },
          lines: { file: 'accounts.ndjson', object: 'account', delimiter: ';' },
        },
      },
    });
    const cfg = join(dir, 'vitally-sync.config.json');
    const all = await runCli(['run', '--all', '--config', cfg, '--sandbox', '--dry-run', '--json'], { env: {} });
    expect(all.code).toBe(0);
    expect(
      rows(all)
        .filter((x) => x.row > 0)
        .map((x) => x.key),
    ).toEqual(['acme', 'globex', 'acme']);
    const flagged = await runCli(['run', 'accounts', '--config', cfg, '--sandbox', '--dry-run', '--full', '--max-deletes', '3'], { env: {} });
    expect(flagged.code).toBe(2);
    expect(flagged.stderr).toContain('--max-deletes bounds --delete-missing');
  });

  it('a token written in the config file is refused with exit 2 before any request, and never echoed', async () => {
    const secret = 'sk_live_abcdefghijklmnop';
    for (const body of [
      { connection: { token: secret }, syncs: { a: { file: 'a.csv', object: 'account' } } },
      { connection: { baseUrl: sb.url }, syncs: { a: { file: 'a.csv', object: 'account', apiKey: 'xyz-123' } } },
      { connection: { subdomain: `Basic ${Buffer.from(`${secret}:`).toString('base64')}` }, syncs: {} },
    ]) {
      const dir = folder({ 'a.csv': ACCOUNTS, 'vitally-sync.config.json': body });
      const r = await runCli(['run', 'a', '--config', join(dir, 'vitally-sync.config.json')], { env });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('looks like a secret');
      expect(r.stderr).toContain('VITALLY_API_TOKEN');
      expect(r.stderr).toContain('tokenFile');
      expect(r.stderr).not.toContain(secret);
      expect(r.stderr).not.toContain('xyz-123');
    }
    expect(sb.requests).toHaveLength(0);
    // push refuses it too when it reads the file for its connection settings.
    const dir = folder({ 'a.csv': ACCOUNTS, 'vitally-sync.config.json': { connection: { token: secret } } });
    const p = await runCli(['push', join(dir, 'a.csv'), '--object', 'account', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('"connection.token" holds what looks like a secret');
    expect(sb.requests).toHaveLength(0);
  });

  it('names an unknown sync and lists the known ones', async () => {
    const dir = folder({ 'vitally-sync.config.json': { syncs: { accounts: { file: 'a.csv', object: 'account' }, users: { file: 'u.csv', object: 'user' } } } });
    const r = await runCli(['run', 'acounts', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No sync named "acounts"');
    expect(r.stderr).toContain('accounts, users');
    const list = await runCli(['run', '--list', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/accounts\s+account/);
  });
});

describe('run --all', () => {
  it("runs every sync in the file's order and reports each exit code; the worst is the exit", async () => {
    const dir = folder({
      'orgs.csv': ORGS,
      'accounts.csv': 'externalId,name\nacme,Acme\nbad,\n',
      'vitally-sync.config.json': {
        syncs: {
          organizations: { file: 'orgs.csv', object: 'organization' },
          accounts: { file: 'accounts.csv', object: 'account', mode: 'insert' },
        },
      },
    });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.json'), '--json'], { env });
    expect(r.code).toBe(1);
    const writes = sb.requests.filter((q) => q.method !== 'GET').map((q) => q.path.split('/')[2]);
    expect(writes.length).toBeGreaterThanOrEqual(2);
    expect(writes.indexOf('accounts')).toBeGreaterThan(writes.lastIndexOf('organizations'));
    expect(r.json.at(-1)).toEqual({
      run: {
        syncs: [
          { name: 'organizations', exitCode: 0 },
          { name: 'accounts', exitCode: 1 },
        ],
        exitCode: 1,
      },
    });
    // With --json, stderr is JSON too: each header a notice naming its sync.
    expect(stderrJson(r)[0]).toMatchObject({ sync: 'organizations', notice: { message: expect.stringContaining('== sync organizations (1/2)') } });
  });

  it('a configuration error in any sync stops the run before anything is sent', async () => {
    const dir = folder({
      'orgs.csv': ORGS,
      'vitally-sync.config.json': {
        syncs: {
          organizations: { file: 'orgs.csv', object: 'organization' },
          accounts: { file: 'accounts.csv', object: 'account', mapping: 'missing-mapping.json' },
        },
      },
    });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sync "accounts"');
    expect(r.stderr).toContain('missing-mapping.json: no such file');
    expect(sb.requests).toHaveLength(0);
  });

  it('a missing input file in a later sync stops the run before the first sync sends anything', async () => {
    const dir = folder({
      'orgs.csv': ORGS,
      'accounts.csv': ACCOUNTS,
      'vitally-sync.config.json': {
        syncs: {
          organizations: { file: 'orgs.csv', object: 'organization' },
          accounts: { file: 'accounts.csv', object: 'account' },
          users: { file: 'users-missing.csv', object: 'user' },
        },
      },
    });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sync "users"');
    expect(r.stderr).toContain('users-missing.csv');
    expect(r.stdout).not.toContain('== sync');
    expect(sb.requests).toHaveLength(0);
    expect(sb.store.all('organizations')).toHaveLength(0);
  });
});

describe('the file format', () => {
  it('YAML works, with the connection (host and token file) in the file and nothing in the environment', async () => {
    const dir = folder({
      'accounts.csv': ACCOUNTS,
      token: `${sb.token}\n`,
      'vitally-sync.config.yaml': [
        '# nightly sync',
        'connection:',
        `  baseUrl: ${sb.url}`,
        '  tokenFile: token',
        '  rate: 600',
        'syncs:',
        '  accounts:',
        '    file: accounts.csv',
        '    object: account',
        '    map:',
        '      - mrr=traits.mrr:number',
        '    ignore: [seats]',
        '',
      ].join('\n'),
    });
    const r = await runCli(['run', 'accounts', '--config', join(dir, 'vitally-sync.config.yaml'), '--json'], { env: {} });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')!.traits).toEqual({ mrr: 10 });
  });

  it('the environment wins over the file, and flags over both', async () => {
    const dir = folder({
      'accounts.csv': ACCOUNTS,
      'vitally-sync.config.json': { connection: { baseUrl: 'http://127.0.0.1:9' }, syncs: { a: { file: 'accounts.csv', object: 'account', state: false } } },
    });
    const cfg = join(dir, 'vitally-sync.config.json');
    // env VITALLY_BASE_URL (the sandbox) beats the file's unreachable baseUrl.
    expect((await runCli(['run', 'a', '--config', cfg], { env })).code).toBe(0);
    // push reads the file's connection too: a flag beats it.
    const p = await runCli(['push', join(dir, 'accounts.csv'), '--object', 'account', '--config', cfg, '--base-url', sb.url], {
      env: { VITALLY_API_TOKEN: sb.token },
    });
    expect(p.code).toBe(0);
  });

  it.each([
    [{ syncs: { accounts: { file: 'a.csv', object: 'account', mdoe: 'upsert' } } }, 'syncs.accounts.mdoe: unknown setting (did you mean "mode"?)'],
    [{ connection: { rate: 'fast' } }, 'connection.rate:'],
    [{ syncs: { accounts: { file: 'a.csv', object: 'acount' } } }, 'syncs.accounts.object: "acount" is not known'],
    [{ syncs: { accounts: { file: 'a.csv', object: 'account', mode: 'merge' } } }, 'syncs.accounts.mode:'],
    [{ syncs: { accounts: { object: 'account' } } }, 'syncs.accounts.file:'],
    [{ syncs: { '2024': { file: 'a.csv', object: 'account' } } }, 'syncs.2024: a sync name starts with a letter'],
    [{ sync: {} }, 'sync: unknown setting (did you mean "syncs"?)'],
  ])('a bad key is reported with its path: %j', async (body, message) => {
    const dir = folder({ 'vitally-sync.config.json': body });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(dir, 'vitally-sync.config.json'));
    expect(r.stderr).toContain(message);
    expect(sb.requests).toHaveLength(0);
  });

  it('YAML syntax errors and a missing --config file are configuration errors', async () => {
    const dir = folder({ 'bad.yaml': 'syncs:\n  a: [unclosed\n' });
    const r = await runCli(['run', '--all', '--config', join(dir, 'bad.yaml')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not valid YAML');
    const missing = await runCli(['run', '--all', '--config', join(dir, 'nope.json')], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });

  it('is found in the working directory; two of them is an error', () => {
    const dir = folder({});
    expect(findConfigFile(dir)).toBeNull();
    writeTemp(dir, 'vitally-sync.config.yml', 'syncs: {}\n');
    expect(findConfigFile(dir)).toBe(join(dir, 'vitally-sync.config.yml'));
    writeTemp(dir, 'vitally-sync.config.json', '{}');
    expect(() => findConfigFile(dir)).toThrow(/keep one config file/);
  });

  it('turns a sync into push settings: paths relative to the file, types on trait columns only', () => {
    const dir = folder({
      'c.json': {
        connection: { region: 'eu', tokenFile: 'token.txt', concurrency: 2 },
        syncs: { s: { file: 'in/a.csv', object: 'account', types: { mrr: 'number', 'traits.x': 'date' }, map: { company: 'name' }, rejects: 'out/r.ndjson' } },
      },
      'token.txt': 'sk_test_file\n',
    });
    const file = loadConfigFile(join(dir, 'c.json'));
    const { input, sources } = syncSources(file, 's', { map: ['a=traits.a'], dryRun: true }, {});
    expect(input).toBe(join(dir, 'in/a.csv'));
    const cfg = resolvePushConfig(input, sources);
    expect(cfg).toMatchObject({
      rejects: join(dir, 'out/r.ndjson'),
      net: { concurrency: 2 },
      connection: { baseUrl: 'https://rest.vitally-eu.io', token: 'sk_test_file' },
    });
    expect(cfg.map).toEqual([
      { source: 'company', target: 'name' },
      { source: 'mrr', target: 'traits.mrr', type: 'number' },
      { source: 'traits.x', target: 'traits.x', type: 'date' },
      { source: 'a', target: 'traits.a' },
    ]);
    // The environment's token wins over the file's tokenFile.
    expect(resolvePushConfig(input, syncSources(file, 's', { dryRun: true }, { VITALLY_API_TOKEN: 'sk_x' }).sources).connection?.token).toBe('sk_x');
    const bad = loadConfigFile(writeTemp(dir, 'd.json', JSON.stringify({ syncs: { s: { file: 'a.csv', object: 'account', types: { name: 'number' } } } })));
    expect(() => resolvePushConfig('a.csv', syncSources(bad, 's', {}, {}).sources)).toThrow(/syncs.s.types.name: "name" is a standard field/);
  });

  it("reads a setting by the same rule from a flag and from the file, each error with the setting's code", () => {
    const dir = folder({ 'c.json': { syncs: { s: { file: 'a.csv', object: 'account', concurrency: 0 } } } });
    let fromFile: unknown;
    try {
      loadConfigFile(join(dir, 'c.json'));
    } catch (err) {
      fromFile = err;
    }
    expect(fromFile).toMatchObject({
      code: 'CONFIG_INVALID_CONCURRENCY',
      message: `${join(dir, 'c.json')}: syncs.s.concurrency: must be a whole number from 1 to 64`,
    });
    expect(() => resolvePushConfig('a.csv', { flags: { object: 'account', concurrency: '0' }, env: {} })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID_CONCURRENCY', message: '--concurrency "0" must be a whole number from 1 to 64' }),
    );
  });

  it('finds secrets by key or by value, but allows token files', () => {
    expect(findSecrets({ connection: { tokenFile: 't', analyticsTokenFile: 'a', apiToken: 'x' } })).toEqual(['connection.apiToken']);
    expect(findSecrets({ syncs: { a: { map: { c: 'sk_live_0123456789ab' } } } })).toEqual(['syncs.a.map.c']);
    expect(findSecrets({ connection: { region: 'us' }, syncs: { a: { file: 'tokens.csv' } } })).toEqual([]);
  });
});
