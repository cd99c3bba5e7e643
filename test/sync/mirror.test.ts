/** --delete-missing against an empty or shrunken export: the guards on what one run may delete. */
import { writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, rows, runCli, summaryOf, writeTemp } from '../helpers/cli.js';
import { useStateSandbox } from '../helpers/state.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let state: string;
useStateSandbox('mirror', (c) => ({ sb, dir, env, state } = c));
/** This test's own name for its files. */
const id = () => basename(state, '.db');

const push = (file: string, ...args: string[]) =>
  runCli(['push', file, '--object', 'account', '--state', state, '--json', '--rate', '100000', ...args], { env });

/** A file of accounts 1..count, synced once. */
async function synced(count: number): Promise<string> {
  const file = join(dir, `export-${id()}.csv`);
  writeFileSync(file, ['externalId,name', ...Array.from({ length: count }, (_, i) => `m-${i + 1},Mirror ${i + 1}`)].join('\n') + '\n');
  expect((await push(file)).code).toBe(0);
  expect(sb.store.all('accounts')).toHaveLength(count);
  return file;
}

const deletes = () => sb.requests.filter((r) => r.method === 'DELETE');

describe('--delete-missing guards', () => {
  it('an export with a header and no rows deletes nothing, and the summary says why', async () => {
    const file = await synced(80);
    writeFileSync(file, 'externalId,name\n');
    sb.requests.length = 0;
    const r = await push(file, '--delete-missing', '--max-deletes', '1000', '--max-delete-share', '100');
    expect(r.code).toBe(0);
    expect(summaryOf(r)).toMatchObject({
      rows: 0,
      warnings: ['--delete-missing: nothing was deleted because the input holds no rows (an empty export is taken for a broken one)'],
    });
    expect(r.stdout).not.toContain('"deleted"');
    expect(deletes()).toHaveLength(0);
    expect(sb.store.all('accounts')).toHaveLength(80);
  });

  it('refuses past --max-delete-share (default 20%) with both numbers, exit 2, after every row was sent', async () => {
    const file = await synced(10);
    writeFileSync(file, ['externalId,name', ...Array.from({ length: 7 }, (_, i) => `m-${i + 1},Mirror ${i + 1}`), 'm-11,New'].join('\n') + '\n');
    sb.requests.length = 0;
    const r = await push(file, '--delete-missing');
    expect(r.code).toBe(2);
    expect(errorOf(r)).toEqual({
      code: 'CONFIG_INVALID',
      message:
        '--delete-missing would delete 3 of the 11 accounts synced from this input (27%), more than --max-delete-share 20%: nothing was deleted. Check the input is complete, or raise --max-delete-share',
      exitCode: 2,
    });
    // The rows were all sent and reported before the refusal; the summary stands.
    expect(rows(r).map((x) => x.action)).toEqual([...Array(7).fill('unchanged'), 'created']);
    expect(summaryOf(r)).toMatchObject({ rows: 8 });
    expect(deletes()).toHaveLength(0);
    expect(sb.store.all('accounts')).toHaveLength(11);

    const allowed = await push(file, '--delete-missing', '--max-delete-share', '30');
    expect(allowed.code).toBe(0);
    expect(
      rows(allowed)
        .filter((x) => x.action === 'deleted')
        .map((x) => x.key),
    ).toEqual(['m-10', 'm-8', 'm-9']);
    expect(sb.store.all('accounts')).toHaveLength(8);
  });

  it('names every limit passed when both are', async () => {
    const file = await synced(6);
    writeFileSync(file, 'externalId,name\nm-1,Mirror 1\n');
    const r = await push(file, '--delete-missing', '--max-deletes', '2');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('would delete 5 of the 6 accounts synced from this input (83%), more than --max-deletes 2 and --max-delete-share 20%');
    expect(r.stderr).toContain('or raise --max-deletes and --max-delete-share');
    expect(sb.store.all('accounts')).toHaveLength(6);
  });

  it('--max-delete-share is a whole percent, and only with --delete-missing', async () => {
    const file = writeTemp(dir, 'x.csv', 'externalId,name\na,A\n');
    expect(errorOf(await push(file, '--delete-missing', '--max-delete-share', '101')).message).toContain(
      '--max-delete-share "101" must be a whole number from 0 to 100',
    );
    const alone = await push(file, '--max-delete-share', '50');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--max-delete-share bounds --delete-missing: add --delete-missing, or drop it');
  });
});
