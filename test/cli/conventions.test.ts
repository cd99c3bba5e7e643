/** What a well-behaved CLI does: its version, errors as JSON with --json, "did you mean", grouped help, FORCE_COLOR. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, runCli, stderrJson, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

const accounts = () => writeTemp(dir, 'accounts.csv', 'externalId,name\nacme,Acme\n');

it('--version prints the version of package.json', async () => {
  const r = await runCli(['--version']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
});

describe('errors as JSON on stderr with --json', () => {
  it('a bad setting: one JSON object with its code, message and exit code; nothing else on stderr', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--concurrency', '0', '--json'], { env });
    expect(r.code).toBe(2);
    expect(stderrJson(r)).toEqual([
      { error: { code: 'CONFIG_INVALID_CONCURRENCY', message: '--concurrency "0" must be a whole number from 1 to 64', exitCode: 2 } },
    ]);
    expect(r.stdout).toBe('');
  });

  it("a command line commander refuses: code USAGE, commander's text kept out of stderr", async () => {
    const r = await runCli(['push', accounts(), '--objekt', 'account', '--json'], { env });
    expect(r.code).toBe(2);
    expect(stderrJson(r)).toEqual([{ error: { code: 'USAGE', message: "unknown option '--objekt'\n(Did you mean --object?)", exitCode: 2 } }]);
  });

  it('a stop mid-run (a refused token): the summary on stdout, the error as JSON, exit 3', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--json'], { env: { ...env, VITALLY_API_TOKEN: 'sk_wrong_token_1234' } });
    expect(r.code).toBe(3);
    expect(r.json.at(-1)).toHaveProperty('summary');
    expect(errorOf(r)).toEqual({
      code: 'API_AUTH',
      message: `The token in VITALLY_API_TOKEN was refused (401 Unauthorized) at ${sb.url}`,
      exitCode: 3,
    });
  });

  it('--sandbox: its notice is a JSON object too', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--sandbox', '--json']);
    expect(r.code).toBe(0);
    expect(stderrJson(r)).toEqual([{ notice: { message: expect.stringMatching(/^Using an in-process sandbox at http:\/\/127\.0\.0\.1:\d+/) } }]);
  });

  it('without --json, errors stay lines for people', async () => {
    const r = await runCli(['push', accounts(), '--object', 'account', '--concurrency', '0'], { env });
    expect(r.stderr).toBe('vitally-sync: --concurrency "0" must be a whole number from 1 to 64\n');
  });
});

describe('did you mean', () => {
  it.each([
    [['push', 'x.csv', '--object', 'accounts'], 'Unknown --object "accounts" (did you mean "account"?)'],
    [['push', 'x.csv', '--object', 'account', '--mode', 'upsret'], '--mode "upsret" is not known (did you mean "upsert"?)'],
    [['push', 'x.csv', '--object', 'account', '--format', 'cvs'], '--format "cvs" is not known (did you mean "csv"?)'],
    [['push', 'x.csv', '--object', 'account', '--via', 'analytic'], '--via "analytic" is not known (did you mean "analytics"?)'],
    [['state', 'forget', 'notes'], 'state forget: unknown object "notes" (did you mean "note"?)'],
  ])('%j', async (argv, message) => {
    const r = await runCli(argv, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it('a sync name', async () => {
    const config = join(dir, 'vitally-sync.config.json');
    writeFileSync(config, JSON.stringify({ syncs: { accounts: { file: 'accounts.csv', object: 'account' } } }));
    const r = await runCli(['run', 'acounts', '--config', config], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`No sync named "acounts" in ${config} (did you mean "accounts"?)`);
  });

  it('nothing close: no guess', async () => {
    const r = await runCli(['push', 'x.csv', '--object', 'invoice'], { env });
    expect(r.stderr).not.toContain('did you mean');
  });
});

it('push --help groups its options', async () => {
  const r = await runCli(['push', '--help']);
  const headings = r.stdout.split('\n').filter((l) => /^[A-Z][\w ]+:$/.test(l));
  expect(headings).toEqual([
    'Arguments:',
    'What to send:',
    'The input:',
    'Columns and traits:',
    'Output:',
    'Connection:',
    'Events and the Analytics API:',
    'Comparing with Vitally:',
    'The state store:',
    'Pacing and retries:',
    'Options:',
    'Examples:',
  ]);
  expect(r.stdout).toMatch(/\nComparing with Vitally:\n {2}--compare <with> /);
  // run takes the same options, in the same groups.
  expect((await runCli(['run', '--help'])).stdout).toContain('\nPacing and retries:\n  -c, --concurrency <n>');
});

it('FORCE_COLOR colours output that is not a terminal, and wins over NO_COLOR', async () => {
  const plain = await runCli(['doctor', '--no-config'], { env });
  expect(plain.stdout).not.toContain('\x1b[');
  const forced = await runCli(['doctor', '--no-config'], { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '1' } });
  expect(forced.stdout).toContain('\x1b[32mok  \x1b[0m');
});
