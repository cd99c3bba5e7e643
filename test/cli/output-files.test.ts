/**
 * The rejects file and the request log are written from the start of a run: one named like the input,
 * or like another output of the run, would destroy what the other holds. Each is refused before
 * anything is read or sent, and the files are left as they were.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, runCli, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

const EXPORT = 'externalId,name\nacme,Acme\nnoname,\n';

describe('push: an output on the input or on the other output', () => {
  it.each(['--rejects', '--log-requests'])('%s naming the input file is refused, and the export is kept whole', async (flag) => {
    const file = writeTemp(dir, 'accounts.csv', EXPORT);
    const r = await runCli(['push', file, '--object', 'account', flag, file, '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2 });
    expect(errorOf(r)?.message).toBe(`${flag} ${file} is the input itself: writing it would empty the export before it is read. Name another file`);
    expect(readFileSync(file, 'utf8')).toBe(EXPORT);
    expect(sb.requests).toHaveLength(0);
  });

  it('a link to the input is the input too', async () => {
    const file = writeTemp(dir, 'accounts.csv', EXPORT);
    const link = join(dir, 'latest.ndjson');
    symlinkSync(file, link);
    const r = await runCli(['push', file, '--object', 'account', '--rejects', link], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--rejects ${link} is the input itself`);
    expect(readFileSync(file, 'utf8')).toBe(EXPORT);
  });

  it('--rejects naming the state store is refused, and the store is kept', async () => {
    const file = writeTemp(dir, 'accounts.csv', EXPORT);
    const store = join(dir, 'state.db');
    expect((await runCli(['push', file, '--object', 'account', '--state', store], { env })).code).toBe(1);
    const before = readFileSync(store);
    const r = await runCli(['push', file, '--object', 'account', '--state', store, '--rejects', store], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`vitally-sync: --rejects ${store} is the state store (--state): writing it would destroy what it holds. Name another file\n`);
    expect(readFileSync(store).equals(before)).toBe(true);
    const again = await runCli(['push', file, '--object', 'account', '--state', store, '--json'], { env });
    expect(again.json.find((l) => l.key === 'acme')).toMatchObject({ status: 'skipped', action: 'unchanged' });
  });

  it('--rejects and --log-requests on one file are refused: each would overwrite the lines of the other', async () => {
    const file = writeTemp(dir, 'accounts.csv', EXPORT);
    const out = join(dir, 'out', 'run.ndjson');
    const r = await runCli(['push', file, '--object', 'account', '--rejects', out, '--log-requests', out], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `vitally-sync: --rejects ${out} and --log-requests ${out} are one file: each would overwrite the lines of the other. Name two files\n`,
    );
    expect(sb.requests).toHaveLength(0);
  });
});

describe('run --all: outputs shared between syncs', () => {
  function config(syncs: string): string {
    writeTemp(dir, 'a.csv', 'externalId,name\nqa,\n');
    writeTemp(dir, 'b.csv', 'externalId,name\nqb,\n');
    const path = join(dir, 'vitally-sync.config.yaml');
    writeFileSync(path, `syncs:\n${syncs}`);
    return path;
  }

  it('one --rejects for every sync is refused: the second sync would overwrite the rows the first rejected', async () => {
    const path = config('  a:\n    file: a.csv\n    object: account\n  b:\n    file: b.csv\n    object: account\n');
    const out = join(dir, 'all-rejects.ndjson');
    const r = await runCli(['run', '--all', '--config', path, '--rejects', out], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `vitally-sync: syncs "a" and "b" both write ${out} (--rejects): the second would overwrite what the first wrote. Give each sync its own file (rejects in ${path})\n`,
    );
    expect(sb.requests).toHaveLength(0);
  });

  it("a sync whose rejects file is another sync's input is refused before the first sync runs", async () => {
    const path = config('  a:\n    file: a.csv\n    object: account\n    rejects: b.csv\n  b:\n    file: b.csv\n    object: account\n');
    const r = await runCli(['run', '--all', '--config', path], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `vitally-sync: sync "a" (${path}): --rejects ${join(dir, 'b.csv')} is the input of sync "b": writing it would empty that export before it is read. Name another file\n`,
    );
    expect(readFileSync(join(dir, 'b.csv'), 'utf8')).toBe('externalId,name\nqb,\n');
    expect(sb.requests).toHaveLength(0);
  });
});
