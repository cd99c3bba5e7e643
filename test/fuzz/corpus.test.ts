/**
 * The fuzz corpus (corpus.ts) through `push --dry-run` and a real push to the sandbox: never exit 70,
 * never a stack trace, the good rows sent, every row read with a result and the failures with a reason.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, useSandbox, type CliRun } from '../helpers/cli.js';
import { CORPUS, type FuzzCase } from './corpus.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c), { rateLimit: { limit: 100_000, windowMs: 60_000 } });

/** What the sandbox holds under a row's key, by object. */
function stored(object: FuzzCase['object'], key: string): boolean {
  if (object === 'account') return sb.store.get('accounts', key) !== undefined;
  if (object === 'note') return sb.store.all('notes').some((x) => x.externalId === key);
  return sb.store.events.some((e) => e.messageId === key);
}

function check(c: FuzzCase, r: CliRun, dry: boolean): void {
  const what = `${c.name}${dry ? ' (dry run)' : ''}`;
  expect(c.codes, `${what}: exit ${r.code}; stderr ${r.stderr.slice(0, 500)}`).toContain(r.code);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  const results = rows(r);
  // Every row read has a result, in order, and the summary counts them.
  expect(results.map((x) => x.row)).toEqual(results.map((_, i) => i + 1));
  // An input refused before the run (a file that is not text) has no summary, and no rows.
  expect(summaryOf(r)?.rows ?? 0).toBe(results.length);
  for (const x of results) {
    // accepted: an event, which the Analytics API takes without confirming it.
    expect(['ok', 'accepted', 'skipped', 'failed']).toContain(x.status);
    if (x.status === 'failed') expect(typeof x.error === 'string' && x.error.length > 0).toBe(true);
  }
  const failed = results.filter((x) => x.status === 'failed');
  if (c.failed >= 0) expect(failed.length, `${what}: ${JSON.stringify(failed.map((x) => x.error))}`).toBe(c.failed);
  const said = [r.stderr, ...failed.map((x) => x.error as string)].join('\n');
  for (const text of c.says ?? []) expect(said).toContain(text);
  const byKey = new Map(results.map((x) => [x.key, x]));
  for (const key of c.good) expect(byKey.get(key)?.status, `${what}: ${key}`).toBe(c.object === 'event' && !dry ? 'accepted' : 'ok');
  for (const key of c.unread ?? []) expect(byKey.has(key)).toBe(false);
  if (dry) return;
  for (const key of c.good) expect(stored(c.object, key), `${what}: ${key} in the sandbox`).toBe(true);
  for (const key of [...(c.unread ?? []), 'bad', 'bad2', 'huge']) expect(stored(c.object, key)).toBe(false);
}

describe('the fuzz corpus', () => {
  it.each(CORPUS.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    if (c.object === 'note') expect((await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--rate', '100000'], { env })).code).toBe(0);
    const path = join(dir, c.file);
    writeFileSync(path, c.content());
    try {
      for (const dry of [true, false]) {
        const r = await runCli(['push', path, '--object', c.object, '--json', '--rate', '100000', ...(dry ? ['--dry-run'] : []), ...(c.args ?? [])], { env });
        check(c, r, dry);
      }
    } finally {
      rmSync(path, { force: true });
    }
  });

  it('--map to a name every object inherits is a configuration error before anything is read', async () => {
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--map', 'name=constructor'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"constructor" is not a field of account');
    expect(sb.requests).toHaveLength(0);
  });
});
