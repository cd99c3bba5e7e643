/**
 * Files as spreadsheets export them: their column names, their delimiters, their trailing commas, their
 * numbers and dates. Each case is a real file pushed through the CLI to the sandbox.
 */
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

describe('--map and the columns it names', () => {
  it('a --map column after a cell that fails its row is still a column of the file: no warning says it is missing', async () => {
    const file = writeTemp(dir, 'renews.csv', 'externalId,name,mrr,renews\na,A,lots,2027-01-01\nb,B,many,2027-02-01\n');
    const r = await runCli(['push', file, '--object', 'account', '--map', 'mrr=traits.mrr:number', '--map', 'renews=traits.renewsOn:date', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => x.error)).toEqual([
      'column "mrr" -> traits.mrr (number): "lots" is not a number',
      'column "mrr" -> traits.mrr (number): "many" is not a number',
    ]);
    expect(summaryOf(r).warnings ?? []).toEqual([]);
    // A column that really is missing is still reported.
    const missing = await runCli(['push', file, '--object', 'account', '--map', 'renew=traits.renewsOn:date', '--json', '--dry-run'], { env });
    expect(summaryOf(missing).warnings).toEqual(['--map renew: no record has a column "renew", so it was not used']);
    expect(sb.requests).toHaveLength(0);
  });
});
