/**
 * `run --all` over the config file that docs/config.md shows as its full example, read from the page
 * itself: what the docs promise runs as written, every sync of it, against the sandbox.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { ROOT } from '../helpers/child.js';
import { runCli, stderrJson, tempDir, useSandbox } from '../helpers/cli.js';

let sb: Sandbox;
let env: Record<string, string>;
useSandbox((c) => ({ sb, env } = c));

/** The YAML of docs/config.md's "A full example". */
function docsExample(): string {
  const page = readFileSync(join(ROOT, 'docs', 'config.md'), 'utf8');
  const section = page.slice(page.indexOf('## A full example'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/config.md has no YAML block under "A full example"');
  return block[1]!;
}

/** The example's config file and the input files its syncs name, in a folder of their own. */
function exampleFolder(files: Record<string, string | Buffer> = {}): string {
  const dir = tempDir();
  const all: Record<string, string | Buffer> = {
    'vitally-sync.config.yaml': docsExample(),
    'exports/organizations.csv': 'externalId,name\nholding,Holding Co\n',
    'exports/accounts.csv': 'account_id,company,mrr,seats,renews_on,internal_notes\nacme,Acme,1200,12,2027-01-31,x\nbad,Bad Co,lots,1,2027-01-31,\n',
    'mappings/users.json': JSON.stringify({ columns: { user_id: 'externalId', company: 'accountExternalId' } }),
    'exports/users.ndjson': '{"user_id":"u1","email":"ann@acme.test","name":"Ann","company":"acme"}\n',
    'exports/notes.csv': 'accountExternalId,subject,body\nacme,Kick-off,Call went well\n',
    'exports/events.ndjson': '{"event_name":"login","ts":"2026-11-28T10:00:00Z","userId":"u1"}\n',
    ...files,
  };
  for (const [name, body] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return dir;
}

describe('run --all with the example of docs/config.md', () => {
  it('runs every sync, making the folder of each rejects file and request log', async () => {
    const dir = exampleFolder();
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.yaml'), '--json'], {
      env: { ...env, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken },
    });
    const run = r.json.find((l) => 'run' in l)?.run;
    expect(run.syncs).toEqual([
      { name: 'organizations', exitCode: 0 },
      { name: 'accounts', exitCode: 1 },
      { name: 'users', exitCode: 0 },
      { name: 'notes', exitCode: 0 },
      { name: 'product-events', exitCode: 0 },
    ]);
    expect(r.code).toBe(1);
    // out/ did not exist: it was made for the accounts' rejects and the notes' request log.
    const rejects = readFileSync(join(dir, 'out', 'accounts-rejects.ndjson'), 'utf8')
      .trim()
      .split('\n');
    expect(rejects.map((l) => JSON.parse(l).key)).toEqual(['bad']);
    expect(existsSync(join(dir, 'out', 'notes-requests.ndjson'))).toBe(true);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme', traits: { mrr: 1200, seats: 12 } });
    expect(sb.store.all('users')).toHaveLength(1);
    expect(sb.store.all('notes')).toHaveLength(1);
  });

  it('every JSON line says which sync it belongs to', async () => {
    const dir = exampleFolder();
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.yaml'), '--json', '--dry-run'], { env });
    const lines = r.json.filter((l) => !('run' in l));
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(['organizations', 'accounts', 'users', 'notes', 'product-events']).toContain(l.sync);
    expect(lines.filter((l) => 'summary' in l).map((l) => l.sync)).toEqual(['organizations', 'accounts', 'users', 'notes', 'product-events']);
    expect(lines.find((l) => l.key === 'acme')).toMatchObject({ sync: 'accounts', row: 1, status: 'ok' });
    // stderr too: each sync's header is a JSON notice that names it.
    const said = stderrJson(r);
    expect(said.map((l) => l.sync)).toEqual(['organizations', 'accounts', 'users', 'notes', 'product-events']);
    expect(said[1]).toEqual({ sync: 'accounts', notice: { message: `== sync accounts (2/5): account from ${join(dir, 'exports', 'accounts.csv')}` } });
  });

  it("under --json, an error that ends one sync names it on stderr's JSON line", async () => {
    const dir = exampleFolder();
    // The token is refused: the first sync stops there (exit 3), and no other runs.
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.yaml'), '--json'], { env: { ...env, VITALLY_API_TOKEN: 'sk_wrong' } });
    expect(r.code).toBe(3);
    expect(stderrJson(r).find((l) => 'error' in l)).toMatchObject({ sync: 'organizations', error: { code: 'API_AUTH', exitCode: 3 } });
  });

  it('an output of a later sync that cannot be written stops the run before the first request', async () => {
    // "out" is a file: no folder can be made there for the accounts' rejects.
    const dir = exampleFolder({ out: 'not a folder\n' });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.yaml')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`sync "accounts"`);
    expect(r.stderr).toContain(`--rejects ${join(dir, 'out', 'accounts-rejects.ndjson')}: cannot be written (${join(dir, 'out')} is a file, not a folder)`);
    expect(sb.requests).toHaveLength(0);
  });

  it("a later sync's file that is not UTF-8 (a Windows-1252 export) stops the run before the first request", async () => {
    const notes = Buffer.from([...'accountExternalId,subject,body\nacme,Caf\u00e9,x\n'].map((c) => c.charCodeAt(0)));
    const dir = exampleFolder({ 'exports/notes.csv': notes });
    const r = await runCli(['run', '--all', '--config', join(dir, 'vitally-sync.config.yaml')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('sync "notes"');
    expect(r.stderr).toContain('is not UTF-8 text: line 2');
    expect(r.stderr).toContain('--encoding windows-1252');
    expect(sb.requests).toHaveLength(0);
  });
});
