/**
 * The programmatic API, as a program imports it: push() against a sandbox over HTTP, its results, its
 * summary, its typed errors, cancelling with an AbortSignal, and tokens passed without the environment.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AuthError, ConfigError, createSandbox, InputError, push, RunStopped, VERSION, type PushResult } from '../../src/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
useSandbox((c) => ({ sb, dir } = c));

const csv = (n: number) => `externalId,name\n${Array.from({ length: n }, (_, i) => `a${i + 1},Account ${i + 1}`).join('\n')}\n`;
const to = () => ({ baseUrl: sb.url, token: sb.token, state: false as const, rate: 100_000 });

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('push()', () => {
  it('yields one result a row, in input order, then resolves the summary; the records land', async () => {
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(30)), object: 'account', concurrency: 8, ...to() });
    const results = await all(run);
    expect(results.map((r) => r.row)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(results[0]).toEqual({ row: 1, line: 2, key: 'a1', status: 'ok', action: 'created', id: expect.any(String), httpStatus: 200, error: null });
    expect(await run.summary).toMatchObject({ rows: 30, ok: 30, failed: 0, byAction: { created: 30 }, interrupted: false });
    expect(sb.store.all('accounts')).toHaveLength(30);
  });

  it('awaiting the summary alone runs the push to its end', async () => {
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(5)), object: 'account', ...to() });
    expect(await run.summary).toMatchObject({ rows: 5, ok: 5 });
    expect(sb.store.all('accounts')).toHaveLength(5);
    expect(() => run[Symbol.asyncIterator]()).toThrow('iterated once');
  });

  it('relative paths are taken from cwd; a failed row carries what was read; the rejects file is written', async () => {
    writeFileSync(join(dir, 'mixed.csv'), 'externalId,name\ngood,Good\n,Nameless\n');
    const run = await push({ input: 'mixed.csv', cwd: dir, object: 'account', rejects: 'rejects.ndjson', ...to() });
    const results = await all(run);
    expect(results[1]).toMatchObject({ row: 2, status: 'failed', action: 'invalid', record: { externalId: '', name: 'Nameless' } });
    expect(await run.summary).toMatchObject({ ok: 1, failed: 1, rejectsFile: join(dir, 'rejects.ndjson') });
    expect(JSON.parse(readFileSync(join(dir, 'rejects.ndjson'), 'utf8'))).toMatchObject({ row: 2, record: { name: 'Nameless' } });
  });

  it('reads a stream as standard input, and a dry run gives the requests it would send', async () => {
    const run = await push({ input: Readable.from([csv(2)]), format: 'csv', object: 'account', dryRun: true, ...to() });
    const results = await all(run);
    expect(results.map((r) => r.action)).toEqual(['planned', 'planned']);
    // Nothing written: a dry run reads at most Vitally's trait catalogue.
    expect(results[0]!.requests).toEqual([
      { method: 'PUT', path: '/resources/accounts/a1', body: { name: 'Account 1' } },
      { method: 'POST', path: '/resources/accounts', body: { externalId: 'a1', name: 'Account 1' } },
    ]);
    expect(sb.requests.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('options take the settings of the table, typed as in a config file: a map object, a mapping object, numbers', async () => {
    const file = writeTemp(dir, 'c.csv', 'id,company,mrr,notes\nacme,Acme,12.5,x\n');
    const run = await push({
      input: file,
      object: 'account',
      map: { id: 'externalId', company: 'name' },
      mapping: { columns: { mrr: 'traits.mrr:number' }, ignore: ['notes'] },
      maxRetries: 2,
      ...to(),
    });
    expect((await run.summary).ok).toBe(1);
    expect(sb.store.all('accounts')[0]).toMatchObject({ externalId: 'acme', name: 'Acme', traits: { mrr: 12.5 } });
  });

  it('compare: vitally lists the workspace first: an unchanged row is skipped, one Vitally lacks created with one POST', async () => {
    await (
      await push({ input: writeTemp(dir, 'a.csv', csv(2)), object: 'account', ...to() })
    ).summary;
    sb.requests.length = 0;
    const run = await push({ input: writeTemp(dir, 'b.csv', csv(3)), object: 'account', compare: 'vitally', ...to() });
    expect((await all(run)).map((r) => [r.key, r.status, r.action])).toEqual([
      ['a1', 'skipped', 'unchanged'],
      ['a2', 'skipped', 'unchanged'],
      ['a3', 'ok', 'created'],
    ]);
    expect((await run.summary).compare).toMatchObject({ with: 'vitally', chosen: 'given', listed: 2, listRequests: 1 });
    expect(sb.requests.map((q) => `${q.method} ${q.path}`).filter((q) => !q.includes('customFields'))).toEqual([
      'GET /resources/accounts?limit=100&sortBy=createdAt&status=activeOrChurned',
      'POST /resources/accounts',
    ]);
  });

  it('runs a named sync of a config file', async () => {
    writeFileSync(join(dir, 'accounts.csv'), csv(3));
    writeFileSync(join(dir, 'vitally-sync.config.json'), JSON.stringify({ syncs: { accounts: { file: 'accounts.csv', object: 'account' } } }));
    const run = await push({ config: join(dir, 'vitally-sync.config.json'), sync: 'accounts', ...to() });
    expect((await run.summary).ok).toBe(3);
  });

  it('an in-process sandbox with sandbox: true', async () => {
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(2)), object: 'account', sandbox: true });
    expect((await all(run)).map((r) => r.action)).toEqual(['created', 'created']);
  });
});

describe('push(): errors before anything is sent', () => {
  const rejects = async (options: Parameters<typeof push>[0]) => {
    try {
      await push(options);
    } catch (err) {
      return err as Error & { code: string };
    }
    throw new Error('push() did not reject');
  };

  it('a bad value: a ConfigError with the code of its setting, naming the option', async () => {
    const err = await rejects({ input: writeTemp(dir, 'a.csv', csv(1)), object: 'account', concurrency: 0, ...to() });
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe('CONFIG_INVALID_CONCURRENCY');
    expect(err.message).toBe('push() option concurrency must be a whole number from 1 to 64');
  });

  it('an unknown option or object type, with the name meant', async () => {
    const unknown = await rejects({ input: 'a.csv', object: 'account', concurency: 2 } as never);
    expect(unknown).toMatchObject({ code: 'CONFIG_INVALID', message: 'push(): unknown option "concurency" (did you mean "concurrency"?)' });
    const object = await rejects({ input: 'a.csv', object: 'acounts' });
    expect(object.message).toContain('Unknown --object "acounts" (did you mean "account"?)');
  });

  it('settings that do not go together are refused, as from the command line', async () => {
    const err = await rejects({ input: writeTemp(dir, 'a.csv', csv(1)), object: 'account', batchSize: 10, ...to() });
    expect(err.code).toBe('CONFIG_INVALID_BATCH_SIZE');
  });

  it('nothing is read from process.env: a token there is not used', async () => {
    const before = process.env.VITALLY_API_TOKEN;
    process.env.VITALLY_API_TOKEN = sb.token;
    try {
      const err = await rejects({ input: writeTemp(dir, 'a.csv', csv(1)), object: 'account', baseUrl: sb.url, state: false });
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.code).toBe('CONFIG_MISSING');
    } finally {
      if (before === undefined) delete process.env.VITALLY_API_TOKEN;
      else process.env.VITALLY_API_TOKEN = before;
    }
    // ... unless the caller hands it over.
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(1)), object: 'account', baseUrl: sb.url, state: false, env: { VITALLY_API_TOKEN: sb.token } });
    expect((await run.summary).ok).toBe(1);
  });

  it('a missing input: an InputError', async () => {
    const err = await rejects({ input: join(dir, 'missing.csv'), object: 'account', ...to() });
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('INPUT_NOT_FOUND');
    expect(sb.requests).toEqual([]);
  });
});

describe('push(): stopping', () => {
  it('a refused token: the loop throws RunStopped, its reason an AuthError naming the option, and the summary rejects with it', async () => {
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(5)), object: 'account', ...to(), token: 'sk_not_the_token' });
    const err = await all(run).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunStopped);
    const stopped = err as RunStopped;
    expect(stopped.reason).toBeInstanceOf(AuthError);
    expect(stopped.reason.message).toBe(`The token option of push() was refused (401 Unauthorized) at ${sb.url}`);
    expect(stopped.summary.ok).toBe(0);
    await expect(run.summary).rejects.toBe(err);
  });

  it('an AbortSignal stops it as Ctrl-C stops the CLI: no new row is read, the requests not started are not sent', async () => {
    const slow = await createSandbox({ latencyMs: 20, rateLimit: { limit: 100_000, windowMs: 60_000 } });
    try {
      const controller = new AbortController();
      const input = writeTemp(dir, 'a.csv', csv(500));
      const run = await push({
        input,
        object: 'account',
        mode: 'insert',
        baseUrl: slow.url,
        token: slow.token,
        state: false,
        rate: 100_000,
        concurrency: 1,
        signal: controller.signal,
      });
      const results: PushResult[] = [];
      for await (const r of run) {
        results.push(r);
        if (results.length === 2) controller.abort();
      }
      const summary = await run.summary;
      expect(summary).toMatchObject({ interrupted: true, rows: results.length });
      expect(results.length).toBeLessThan(500);
      expect(results.at(-1)).toMatchObject({ status: 'skipped', action: 'interrupted', error: 'interrupted before it was sent' });
      // The rows before the stop landed, and at most the one in flight after them.
      expect(slow.store.all('accounts').length).toBeLessThanOrEqual(3);
    } finally {
      await slow.close();
    }
  });

  it('leaving the loop early stops the run too; the summary follows', async () => {
    const run = await push({ input: writeTemp(dir, 'a.csv', csv(300)), object: 'account', ...to(), concurrency: 1 });
    let seen = 0;
    for await (const _ of run) if (++seen === 3) break;
    const summary = await run.summary;
    expect(summary.interrupted).toBe(true);
    expect(sb.store.all('accounts').length).toBeLessThan(300);
  });
});

it('VERSION is the version of package.json', () => {
  expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});
