/** `vitally-sync completion`: scripts made from the program itself; the bash one run in a real bash. */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { commandSpecs } from '../../src/cli/completion.js';
import { objectNames } from '../../src/objects/index.js';
import { runCli, tempDir, writeTemp } from '../helpers/cli.js';

const objects = objectNames().filter((n) => !n.includes('<'));
const program = buildProgram({ stdout: { write: () => true }, stderr: { write: () => true }, stdin: process.stdin, env: {}, signals: false }, () => {});
const script = async (shell: string) => {
  const r = await runCli(['completion', shell]);
  expect(r.code).toBe(0);
  return r.stdout;
};

/** What bash completes for a command line whose last word is being typed. */
function complete(bashScript: string, words: string[], cwd = process.cwd()): string[] {
  const file = writeTemp(tempDir(), 'completion.bash', bashScript);
  const line = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync(
    'bash',
    ['-c', `source '${file}'; COMP_WORDS=(${line}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); _vitally_sync; printf '%s\\n' "\${COMPREPLY[@]}"`],
    { cwd, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('completion bash', () => {
  it('completes commands, subcommands, options, option values from the registries and commander choices, and files', async () => {
    const bash = await script('bash');
    expect(complete(bash, ['vitally-sync', ''])).toEqual(program.commands.map((c) => c.name()));
    expect(complete(bash, ['vitally-sync', 'st'])).toEqual(['state']);
    expect(complete(bash, ['vitally-sync', 'state', ''])).toEqual(['show', 'reset', 'forget']);
    expect(complete(bash, ['vitally-sync', 'state', 'forget', ''])).toEqual(objects);
    expect(complete(bash, ['vitally-sync', 'push', '--obj'])).toEqual(['--object']);
    expect(complete(bash, ['vitally-sync', 'push', '--object', 'acc'])).toEqual(['account']);
    expect(complete(bash, ['vitally-sync', 'push', '-o', ''])).toEqual(objects);
    expect(complete(bash, ['vitally-sync', 'push', '--format', ''])).toEqual(['csv', 'ndjson', 'json', 'parquet', 'postgres']);
    expect(complete(bash, ['vitally-sync', 'sandbox', '--profile', ''])).toEqual(['docs', 'live']);
    expect(complete(bash, ['vitally-sync', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A hidden option stays hidden; run takes every option of push.
    expect(complete(bash, ['vitally-sync', 'push', '--max-w'])).toEqual([]);
    expect(complete(bash, ['vitally-sync', 'run', '--via'])).toEqual(['--via']);
    // Files where a file goes.
    const dir = tempDir();
    writeTemp(dir, 'accounts.csv', 'externalId\n');
    expect(complete(bash, ['vitally-sync', 'push', 'acc'], dir)).toEqual(['accounts.csv']);
    expect(complete(bash, ['vitally-sync', 'push', 'x.csv', '--rejects', 'acc'], dir)).toEqual(['accounts.csv']);
    // A value with nothing to offer completes nothing (not the options).
    expect(complete(bash, ['vitally-sync', 'push', '--map', ''])).toEqual([]);
  });
});

describe('completion zsh and fish', () => {
  it('zsh reads the bash script through bashcompinit', async () => {
    const zsh = await script('zsh');
    expect(zsh.startsWith('#compdef vitally-sync\n')).toBe(true);
    expect(zsh).toContain('bashcompinit');
    expect(zsh).toContain('complete -o filenames -F _vitally_sync vitally-sync');
  });

  it('fish names every command and every visible option of the program', async () => {
    const fish = await script('fish');
    for (const spec of commandSpecs(program)) {
      if (spec.path.length > 0) expect(fish).toContain(` -a ${spec.path.at(-1)} -d `);
      for (const o of spec.options) {
        const long = o.names.find((n) => n.startsWith('--'))!;
        expect(fish).toContain(`-l ${long.slice(2)}`);
      }
    }
    expect(fish).toContain(`-l object -s o -x -a '${objects.join(' ')}'`);
    expect(objects).toContain('account');
    expect(fish).not.toContain('-l max-wait-ms');
  });

  it('an unknown shell is refused by its list', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed choices are bash, zsh, fish');
  });
});
