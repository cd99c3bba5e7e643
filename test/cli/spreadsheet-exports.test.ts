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

describe('delimiters', () => {
  it('a semicolon-separated export is read by the delimiter its header holds, and the summary says which', async () => {
    const file = writeTemp(dir, 'european.csv', 'externalId;name;plan\nacme;Acme GmbH;Pro\nsoc;Société;Basic\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.status])).toEqual([
      ['acme', 'ok'],
      ['soc', 'ok'],
    ]);
    expect(sb.store.get('accounts', 'soc')).toMatchObject({ name: 'Société', traits: { plan: 'Basic' } });
    expect(summaryOf(r).notes).toEqual([`${file}: the delimiter is ";", found in the header (--delimiter to choose another)`]);
  });

  it('Excel\'s "Unicode text" (UTF-16 with its byte-order mark, tab-separated, .txt) needs no option', async () => {
    const file = writeTemp(dir, 'unicode.txt', Buffer.from('\uFEFFexternalId\tname\r\nzoe\tZoë, Inc.\r\n', 'utf16le'));
    const r = await runCli(['push', file, '--object', 'account'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'zoe')).toMatchObject({ name: 'Zoë, Inc.' });
    expect(r.stdout).toContain('Note: ');
    expect(r.stdout).toContain('the delimiter is tab, found in the header');
  });
});

describe("Excel's trailing comma", () => {
  it('an unnamed last column is left out where it is empty (said once); a row holding a value there fails alone', async () => {
    const file = writeTemp(dir, 'trailing.csv', 'externalId,name,\r\nacme,Acme,\r\nglobex,Globex,stray\r\ninitech,Initech,\r\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.status, x.error])).toEqual([
      [1, 'ok', null],
      [2, 'failed', 'line 3: column 3 has no name in the header, but this row holds "stray" there: name the column in the header, or remove the value'],
      [3, 'ok', null],
    ]);
    expect(summaryOf(r).notes).toEqual([
      `${file}: column 3 has no name in the header (a trailing delimiter, as Excel writes): left out where empty; a row holding a value there fails`,
    ]);
    // Nothing was sent for the unnamed column: no trait named "".
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme' });
    expect(sb.store.get('accounts', 'acme')?.traits ?? {}).toEqual({});
    expect(sb.store.get('accounts', 'globex')).toBeUndefined();
  });
});
