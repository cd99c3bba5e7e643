/**
 * The package as a user gets it: `npm pack`, `npm install -g` of the tarball into a temporary prefix, then
 * `--version`, the README's quick start (from `vitally-sync demo`), the state store, and the programmatic
 * API, all from the installed copy. A second install with its install scripts skipped (as npm's
 * install-script policy can leave it) shows what a run with the state store says then.
 *
 * Run by `npm run test:package` (and .ci/run), not by `npm test`: the install compiles better-sqlite3.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to its end; never throws on a non-zero exit. */
function run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const ok = (r: Ran, what: string): Ran => {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
};

/** A user's environment: no Vitally settings from this machine's, nothing forced on or off. */
const USER_ENV = { VITALLY_API_TOKEN: undefined, VITALLY_ANALYTICS_TOKEN: undefined, VITALLY_BASE_URL: undefined, NO_COLOR: undefined, FORCE_COLOR: undefined };

let work: string;
let tarball: string;
/** The installed command, and the one installed without its install scripts. */
let cli: string;
let cliWithoutScripts: string;
let installed: string;
/** Node 22 and 24, from the npm registry's node binaries, to run the installed copy with. */
const OTHER_NODES = ['22', '24'] as const;
const nodes: Record<string, string> = {};
const sandboxes: ChildProcess[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'vitally-sync-package-'));
  const packed = ok(await run('npm', ['pack', '--pack-destination', work, '--silent']), 'npm pack');
  tarball = join(work, packed.stdout.trim().split('\n').at(-1)!);
  const install = (prefix: string, extra: string[] = []) =>
    run('npm', ['install', '--global', '--prefix', join(work, prefix), tarball, '--no-audit', '--no-fund', '--loglevel=error', ...extra]);
  const nodeBinary = (major: string) =>
    run('npm', [
      'install',
      '--prefix',
      join(work, `node${major}`),
      `node-${process.platform}-${process.arch}@${major}`,
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ]);
  // Side by side: only the first one compiles anything.
  const [full, noScripts, ...others] = await Promise.all([
    install('prefix'),
    install('prefix-no-scripts', ['--ignore-scripts']),
    ...OTHER_NODES.map(nodeBinary),
  ]);
  ok(full, 'npm install -g');
  ok(noScripts, 'npm install -g --ignore-scripts');
  for (const [i, major] of OTHER_NODES.entries()) {
    ok(others[i]!, `node ${major}`);
    nodes[major] = join(work, `node${major}`, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  }
  cli = join(work, 'prefix', 'bin', 'vitally-sync');
  cliWithoutScripts = join(work, 'prefix-no-scripts', 'bin', 'vitally-sync');
  installed = join(work, 'prefix', 'lib', 'node_modules', PACKAGE.name);
});

afterAll(() => {
  for (const s of sandboxes) s.kill();
});

describe('the tarball', () => {
  it('holds the build, its declarations and maps with their sources, the example files and the docs; no sources, tests or benchmarks', async () => {
    const files = ok(await run('tar', ['-tzf', tarball]), 'tar')
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    for (const f of [
      'package.json',
      'LICENSE',
      'README.md',
      'CHANGELOG.md',
      'bin/vitally-sync.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/cli/main.js',
      'docs/api.md',
      'fixtures/accounts.csv',
    ]) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => /^(src|test|bench|\.ci)\//.test(f))).toEqual([]);
    const map = JSON.parse(readFileSync(join(installed, 'dist', 'index.js.map'), 'utf8')) as { sources: string[]; sourcesContent?: string[] };
    expect(map.sourcesContent?.[0]).toContain("export { push } from './api/push.js'");
  });
});

describe('the installed command', () => {
  it('--version is the version of package.json', async () => {
    const r = ok(await run(cli, ['--version'], { env: USER_ENV }), '--version');
    expect(r.stdout.trim()).toBe(PACKAGE.version);
  });

  it("runs the README's quick start: demo writes the example files, and each command it prints works against the sandbox", async () => {
    const demo = ok(await run(cli, ['demo', 'demo'], { cwd: work, env: USER_ENV }), 'demo');
    const dir = join(work, 'demo');
    expect(readdirSync(join(dir, 'fixtures'))).toContain('accounts.csv');
    const block = demo.stdout.slice(demo.stdout.indexOf('Try them'), demo.stdout.indexOf('Or against'));
    const commands = block
      .split('\n')
      .filter((l) => l.startsWith('  vitally-sync '))
      .map((l) => l.replace(/#.*$/, '').trim().split(/\s+/).slice(1));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const argv of commands) {
      const r = await run(cli, argv, { cwd: dir, env: USER_ENV });
      expect({ argv, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
      // Every row lands: ok (or accepted, for the Analytics API's events), none skipped or failed.
      if (argv[0] === 'push' && !argv.includes('--dry-run'))
        expect(r.stdout).toMatch(/Done: (\d+) rows \(\d+ ok, (\d+ accepted \(not confirmed\), )?0 skipped, 0 failed\)/);
    }
    expect(existsSync(join(dir, 'vitally-sync.config.json'))).toBe(true);
  });

  it('against a sandbox server, with the state store (better-sqlite3 built by the install): a second run skips every row', async () => {
    const dir = join(work, 'demo');
    const server = spawn(cli, ['sandbox'], { cwd: dir, env: { ...process.env, ...USER_ENV }, stdio: ['ignore', 'pipe', 'pipe'] });
    sandboxes.push(server);
    const exports = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d: Buffer) => {
        out += d;
        const line = /export (VITALLY_BASE_URL=.*)/.exec(out);
        if (line) resolve(line[1]!);
      });
      server.on('close', (code) => reject(new Error(`the sandbox exited ${code}: ${out}`)));
    });
    const env = { ...USER_ENV, ...Object.fromEntries(exports.split(' ').map((kv) => kv.split('=') as [string, string])) };
    const accounts = ok(await run(cli, ['push', 'fixtures/accounts.csv', '--object', 'account'], { cwd: dir, env }), 'push accounts');
    expect(accounts.stdout).toContain('Done: 4 rows (4 ok, 0 skipped, 0 failed): created 4');
    const users = ok(await run(cli, ['push', 'fixtures/users.csv', '--object', 'user'], { cwd: dir, env }), 'push users');
    expect(users.stdout).toMatch(/Done: \d+ rows \(\d+ ok, 0 skipped, 0 failed\)/);
    const again = ok(await run(cli, ['push', 'fixtures/accounts.csv', '--object', 'account'], { cwd: dir, env }), 'push accounts again');
    expect(again.stdout).toContain('Done: 4 rows (0 ok, 4 skipped, 0 failed): unchanged 4');
    expect(existsSync(join(dir, '.vitally-sync', 'state.db'))).toBe(true);
    server.kill();
  });
});

describe('the programmatic API from the installed package', () => {
  let project: string;
  beforeAll(() => {
    // A project that depends on the package: node_modules/vitally-sync is the installed copy.
    project = join(work, 'project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    symlinkSync(installed, join(project, 'node_modules', PACKAGE.name), 'dir');
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-job-runner', private: true, type: 'module' }));
  });

  it("push() and createSandbox() from 'vitally-sync': results and summary, and nothing printed by the library", async () => {
    writeFileSync(
      join(project, 'job.mjs'),
      `import { push, createSandbox, ConfigError, VERSION } from 'vitally-sync';
const sb = await createSandbox();
const run = await push({ input: 'accounts.csv', cwd: ${JSON.stringify(join(work, 'demo', 'fixtures'))}, object: 'account', baseUrl: sb.url, token: sb.token, state: false });
const rows = [];
for await (const r of run) rows.push([r.row, r.status, r.action, r.key]);
const summary = await run.summary;
let refused = null;
try { await push({ input: 'accounts.csv', object: 'acount' }); } catch (err) { refused = [err instanceof ConfigError, err.code]; }
await sb.close();
process.stdout.write(JSON.stringify({ VERSION, rows, ok: summary.ok, refused, stored: sb.store.all('accounts').length }));
`,
    );
    const r = ok(await run(process.execPath, ['job.mjs'], { cwd: project, env: USER_ENV }), 'job.mjs');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      VERSION: PACKAGE.version,
      rows: [
        [1, 'ok', 'created', 'acme'],
        [2, 'ok', 'created', 'globex'],
        [3, 'ok', 'created', 'initech'],
        [4, 'ok', 'created', 'umbrella'],
      ],
      ok: 4,
      refused: [true, 'CONFIG_INVALID'],
      stored: 4,
    });
  });

  it('the example of docs/api.md runs as written, in a folder demo wrote', async () => {
    ok(await run(cli, ['demo', '.'], { cwd: project, env: USER_ENV }), 'demo');
    const doc = readFileSync(join(installed, 'docs', 'api.md'), 'utf8');
    const example = /```js\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(example).toContain("from 'vitally-sync'");
    writeFileSync(join(project, 'example.mjs'), example);
    const r = ok(await run(process.execPath, ['example.mjs'], { cwd: project, env: USER_ENV }), 'example.mjs');
    expect(r.stdout).toBe('4 ok, 0 failed\n');
  });

  it('only the entry point is exported: a deep import of dist/ is refused', async () => {
    writeFileSync(join(project, 'deep.mjs'), "await import('vitally-sync/dist/cli/main.js');\n");
    const r = await run(process.execPath, ['deep.mjs'], { cwd: project });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('its types: a TypeScript program that uses the API typechecks, and a wrong option does not', async () => {
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const config = {
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules', '@types')],
      },
      include: ['*.ts'],
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(config));
    writeFileSync(
      join(project, 'job.ts'),
      `import { push, RunStopped, type PushResult, type Summary } from 'vitally-sync';
const run = await push({ input: 'a.csv', object: 'account', concurrency: 2, signal: AbortSignal.timeout(1000) });
for await (const r of run) { const x: PushResult = r; void x.status; }
const s: Summary = await run.summary;
void s.ok;
void RunStopped;
`,
    );
    ok(await run(process.execPath, [tsc, '-p', '.'], { cwd: project }), 'tsc');
    writeFileSync(join(project, 'wrong.ts'), "import { push } from 'vitally-sync';\nawait push({ input: 'a.csv', concurrency: 'four' });\n");
    const wrong = await run(process.execPath, [tsc, '-p', '.'], { cwd: project });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stdout).toMatch(/^wrong\.ts\(2,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/m);
  });
});

describe.each(OTHER_NODES)('on Node %s', (major) => {
  const bin = () => join(installed, 'bin', 'vitally-sync.js');

  it('the installed copy runs: --version, a push to an in-process sandbox, and the API', async () => {
    const node = nodes[major]!;
    expect(ok(await run(node, ['--version']), 'node --version').stdout).toMatch(new RegExp(`^v${major}\\.`));
    expect(ok(await run(node, [bin(), '--version'], { env: USER_ENV }), '--version').stdout.trim()).toBe(PACKAGE.version);
    const dir = join(work, 'demo');
    const r = ok(await run(node, [bin(), 'push', 'fixtures/accounts.csv', '--object', 'account', '--sandbox'], { cwd: dir, env: USER_ENV }), 'push');
    expect(r.stdout).toContain('Done: 4 rows (4 ok, 0 skipped, 0 failed): created 4');
    const api = ok(await run(node, ['example.mjs'], { cwd: join(work, 'project'), env: USER_ENV }), 'example.mjs');
    expect(api.stdout).toBe('4 ok, 0 failed\n');
  });

  // The install built better-sqlite3 for the Node that runs this test.
  it.skipIf(process.versions.node.startsWith(`${major}.`))(
    'with better-sqlite3 built for another Node, a run with the state store says to rebuild it, or --no-state',
    async () => {
      const r = await run(
        nodes[major]!,
        [bin(), 'push', 'fixtures/accounts.csv', '--object', 'account', '--sandbox', '--state', join(work, `state${major}.db`)],
        {
          cwd: join(work, 'demo'),
          env: USER_ENV,
        },
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('built for another version of Node.js than this one: run npm rebuild better-sqlite3');
      expect(r.stderr).toContain('--no-state');
    },
  );
});

describe('installed with its install scripts blocked', () => {
  it('a run with the state store names the fix and --no-state (exit 2); a run without it works', async () => {
    const dir = join(work, 'demo');
    const env = { ...USER_ENV, PATH: `${join(work, 'prefix-no-scripts', 'bin')}${delimiter}${process.env.PATH}` };
    const blocked = await run(cliWithoutScripts, ['push', 'fixtures/accounts.csv', '--object', 'account', '--sandbox', '--state', join(work, 'state.db')], {
      cwd: dir,
      env,
    });
    expect(blocked.code).toBe(2);
    expect(blocked.stderr).toContain('Could not locate the bindings file');
    expect(blocked.stderr).toContain('npm install -g vitally-sync --allow-scripts=better-sqlite3');
    expect(blocked.stderr).toContain('npm approve-scripts better-sqlite3');
    expect(blocked.stderr).toContain('--no-state');
    const without = await run(cliWithoutScripts, ['push', 'fixtures/accounts.csv', '--object', 'account', '--sandbox'], { cwd: dir, env });
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('Done: 4 rows (4 ok, 0 skipped, 0 failed)');
  });

  it('a listing of the workspace needs it too: --compare vitally names the fix (exit 2); a run that would list by itself goes on without a listing, saying why', async () => {
    const dir = join(work, 'demo');
    const env = { ...USER_ENV, PATH: `${join(work, 'prefix-no-scripts', 'bin')}${delimiter}${process.env.PATH}` };
    const file = join(work, 'many-accounts.csv');
    // Each row fails its mapping (an mrr that is no number) before any request: the choice is made all the same.
    writeFileSync(file, `externalId,name,mrr\n${Array.from({ length: 1000 }, (_, i) => `a${i},Account ${i},n/a`).join('\n')}\n`);
    const map = ['--map', 'mrr=traits.mrr:number'];
    const asked = await run(cliWithoutScripts, ['push', file, '--object', 'account', ...map, '--sandbox', '--no-state', '--compare', 'vitally'], {
      cwd: dir,
      env,
    });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toContain('A listing of the workspace (--compare vitally, --verify) is kept in a temporary SQLite database');
    expect(asked.stderr).toContain('Could not locate the bindings file');
    expect(asked.stderr).toContain('Or send without one: --compare none');
    expect(asked.stdout).toContain('Done: 0 rows');
    // 1,000 rows and no store: the run would list Vitally; it goes on without a listing, and says why.
    const chosen = await run(cliWithoutScripts, ['push', file, '--object', 'account', ...map, '--sandbox', '--no-state', '--json', '--quiet'], {
      cwd: dir,
      env,
    });
    expect(chosen.code).toBe(1);
    const summary = JSON.parse(chosen.stdout.trim().split('\n').at(-1)!).summary as {
      failed: number;
      compare: { with: string; chosen: string };
      warnings: string[];
    };
    expect(summary.failed).toBe(1000);
    expect(summary.compare).toMatchObject({ with: 'none', chosen: expect.stringMatching(/, but a listing could not be kept$/) });
    expect(summary.warnings.join('\n')).toContain('the rows were not compared with a listing of the workspace: A listing of the workspace');
  });
});
