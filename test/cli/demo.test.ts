/** `vitally-sync demo`: the example files written out, and the commands to try them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demoCommand, DEMO_COMMANDS, EXAMPLES_DIR } from '../../src/cli/demo.js';
import { tempDir } from '../helpers/cli.js';

const capture = () => {
  let stdout = '';
  return {
    io: { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, stdin: process.stdin, env: {}, signals: false },
    out: () => stdout,
  };
};

describe('demo', () => {
  it("writes the package's example files into <dir>/fixtures, and prints commands that name only files it wrote", async () => {
    const cwd = tempDir();
    const c = capture();
    expect(await demoCommand(undefined, {}, c.io, cwd)).toBe(0);
    const written = readdirSync(join(cwd, 'vitally-sync-demo', 'fixtures')).sort();
    expect(written).toEqual(readdirSync(EXAMPLES_DIR).sort());
    for (const f of written) expect(readFileSync(join(cwd, 'vitally-sync-demo', 'fixtures', f))).toEqual(readFileSync(join(EXAMPLES_DIR, f)));
    expect(c.out()).toContain('  cd vitally-sync-demo\n');
    for (const command of DEMO_COMMANDS) {
      expect(c.out()).toContain(command);
      for (const named of command.match(/fixtures\/[\w.-]+/g) ?? []) expect(existsSync(join(cwd, 'vitally-sync-demo', named))).toBe(true);
    }
  });

  it('never writes over example files already there, unless --force', async () => {
    const cwd = tempDir();
    await demoCommand('.', {}, capture().io, cwd);
    await expect(demoCommand('.', {}, capture().io, cwd)).rejects.toThrow(/already holds accounts-mapping\.json, .*add --force/);
    expect(await demoCommand('.', { force: true }, capture().io, cwd)).toBe(0);
  });
});
