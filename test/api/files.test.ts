/**
 * push() on files as people have them: the options of the command line's file settings (encoding,
 * decimalComma, dateFormat, scope, a JSON array, gzip), and output files checked and their folders made
 * before anything is sent.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, push } from '../../src/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ROOT } from '../helpers/child.js';
import { useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
useSandbox((c) => ({ sb, dir } = c));

const to = () => ({ baseUrl: sb.url, token: sb.token, state: false as const, rate: 100_000 });
const summaryOf = async (options: Parameters<typeof push>[0]) => (await push(options)).summary;

describe('push() on files as exported', () => {
  it('reads a Windows export with encoding, decimalComma and dateFormat', async () => {
    const summary = await summaryOf({
      input: join(ROOT, 'fixtures', 'accounts-windows.csv'),
      object: 'account',
      encoding: 'windows-1252',
      decimalComma: true,
      dateFormat: 'DD.MM.YYYY',
      map: { MRR: 'traits.mrr:number', 'Renewal Date': 'traits.nextRenewalDate:date' },
      ...to(),
    });
    expect(summary).toMatchObject({ rows: 3, ok: 3, failed: 0 });
    expect(sb.store.get('accounts', 'soc-gen')).toMatchObject({ name: 'Société Générale', traits: { mrr: 980, nextRenewalDate: '2027-03-01' } });
    expect(sb.store.get('accounts', 'mueller')!.traits).toMatchObject({ mrr: 12000, nextRenewalDate: '2027-01-15' });
  });

  it('refuses an encoding or a date format that is none, naming the option', async () => {
    const input = writeTemp(dir, 'a.csv', 'externalId,name\na1,A\n');
    await expect(push({ input, object: 'account', encoding: 'klingon', ...to() })).rejects.toMatchObject({
      code: 'CONFIG_INVALID_ENCODING',
      message: expect.stringContaining('push() option encoding "klingon" is not an encoding TextDecoder knows'),
    });
    await expect(push({ input, object: 'account', dateFormat: 'DD.MM.YY', ...to() })).rejects.toBeInstanceOf(ConfigError);
    expect(sb.requests).toHaveLength(0);
  });

  it('reads a gzip stream of a JSON array with format json', async () => {
    const array = JSON.stringify([
      { externalId: 'j1', name: 'One' },
      { externalId: 'j2', name: 'Two' },
    ]);
    const summary = await summaryOf({ input: Readable.from([gzipSync(array)]), format: 'json', object: 'account', ...to() });
    expect(summary).toMatchObject({ rows: 2, ok: 2 });
    expect(sb.store.get('accounts', 'j2')).toMatchObject({ name: 'Two' });
  });

  it('a scope keeps dated exports one source, so deleteMissing deletes what left it', async () => {
    const state = join(dir, 'state.db');
    const names = ['acme', 'globex', 'initech', 'hooli', 'umbrella'];
    const csvOf = (keys: string[]) => `externalId,name\n${keys.map((k) => `${k},${k.toUpperCase()}`).join('\n')}\n`;
    const day1 = writeTemp(dir, 'accounts-2026-11-28.csv', csvOf(names));
    // One of five left (20%, within the default share that may be deleted).
    const day2 = writeTemp(dir, 'accounts-2026-11-29.csv', csvOf(names.filter((k) => k !== 'globex')));
    expect(await summaryOf({ input: day1, object: 'account', scope: 'crm-accounts', ...to(), state })).toMatchObject({ ok: 5 });
    const second = await push({ input: day2, object: 'account', scope: 'crm-accounts', deleteMissing: true, ...to(), state });
    const deleted: string[] = [];
    for await (const r of second) if (r.action === 'deleted') deleted.push(r.key!);
    expect(deleted).toEqual(['globex']);
    expect(sb.store.get('accounts', 'globex')).toBeUndefined();
  });

  it("makes the rejects file's folder; an output that cannot be written rejects push() before any request", async () => {
    const input = writeTemp(dir, 'mixed.csv', 'externalId,name\ngood,Good\n,Nameless\n');
    const summary = await summaryOf({ input, object: 'account', rejects: join(dir, 'out', 'today', 'rejects.ndjson'), ...to() });
    expect(summary).toMatchObject({ ok: 1, failed: 1 });
    expect(JSON.parse(readFileSync(join(dir, 'out', 'today', 'rejects.ndjson'), 'utf8'))).toMatchObject({ row: 2 });

    sb.reset();
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    await expect(push({ input, object: 'account', logRequests: join(file, 'log.ndjson'), ...to() })).rejects.toThrow(
      `--log-requests ${join(file, 'log.ndjson')}: cannot be written (${file} is a file, not a folder)`,
    );
    expect(existsSync(join(file, 'log.ndjson'))).toBe(false);
    expect(sb.requests).toHaveLength(0);
  });
});
