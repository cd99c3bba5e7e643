/**
 * The rejects file pushed back once the cause is fixed: it is recognised by its lines, and the records
 * under `record` are sent as they were read, whatever input they came from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

describe('push rejects.ndjson', () => {
  it('sends the rejected records as they were read, once their cause is fixed', async () => {
    expect((await runCli(['push', writeTemp(dir, 'acme.csv', 'externalId,name\nacme,Acme\n'), '--object', 'account'], { env })).code).toBe(0);
    const notes = writeTemp(dir, 'notes.csv', 'accountExternalId,subject,body\nacme,Kick-off,Went well\nlater,Renewal,Signed\n');
    const rejects = join(dir, 'rejects.ndjson');
    const first = await runCli(['push', notes, '--object', 'note', '--rejects', rejects, '--json'], { env });
    expect(first.code).toBe(1);
    expect(rows(first).map((r) => r.status)).toEqual(['ok', 'failed']);
    expect(JSON.parse(readFileSync(rejects, 'utf8'))).toMatchObject({ row: 2, record: { accountExternalId: 'later', subject: 'Renewal', body: 'Signed' } });

    // The cause: the account did not exist yet.
    expect((await runCli(['push', writeTemp(dir, 'later.csv', 'externalId,name\nlater,Later Inc\n'), '--object', 'account'], { env })).code).toBe(0);
    const again = await runCli(['push', rejects, '--object', 'note', '--json'], { env });
    expect(again.code).toBe(0);
    expect(rows(again).map((r) => [r.row, r.status, r.action])).toEqual([[1, 'ok', 'created']]);
    expect(summaryOf(again).notes).toContain(`${rejects} is a rejects file: the record of each line is sent as it was read`);
    const later = sb.store.get('accounts', 'later')!;
    expect(sb.store.all('notes').find((n) => n.subject === 'Renewal')).toMatchObject({ accountId: later.id, note: 'Signed' });
    // The same row as in the first run: its derived externalId is the same, so nothing is created twice.
    expect(sb.store.all('notes')).toHaveLength(2);
  });

  it('a rejected row that could not be read in its input fails again, saying to fix it there', async () => {
    const bad = writeTemp(dir, 'bad.csv', 'externalId,name\nacme,Acme\n"unclosed,Bad\n');
    const rejects = join(dir, 'rejects-raw.ndjson');
    expect((await runCli(['push', bad, '--object', 'account', '--rejects', rejects], { env })).code).toBe(1);
    const again = await runCli(['push', rejects, '--object', 'account', '--json'], { env });
    expect(again.code).toBe(1);
    expect(rows(again)[0]!.error).toMatch(
      /^line 1: row 2 \(line 3\) of its input could not be read there \(.+\), so there is no record to send: fix it in that input/,
    );
  });

  it('the text of a number from a ;-separated export stays ambiguous pushed back: 1.234 is never sent as 1.234 unless the run says so', async () => {
    const eu = writeTemp(dir, 'eu.csv', 'externalId;name;seats\neu1;;1.234\n');
    const rejects = join(dir, 'rejects-eu.ndjson');
    const first = await runCli(['push', eu, '--object', 'account', '--decimal-comma', '--map', 'seats=traits.seats:number', '--rejects', rejects], { env });
    expect(first.code).toBe(1);
    expect(JSON.parse(readFileSync(rejects, 'utf8'))).toMatchObject({ record: { externalId: 'eu1', seats: '1.234' } });
    const fixed = join(dir, 'rejects-eu-fixed.ndjson');
    writeTemp(dir, 'rejects-eu-fixed.ndjson', readFileSync(rejects, 'utf8').replace('"name":""', '"name":"EU One"'));
    // Without the option the record was read with, the cell is refused, naming both readings.
    const again = await runCli(['push', fixed, '--object', 'account', '--map', 'seats=traits.seats:number', '--json'], { env });
    expect(again.code).toBe(1);
    expect(rows(again)[0]!.error).toBe(
      'column "seats" -> traits.seats (number): "1.234" could be 1234 (a dot between thousands, as ";"-separated exports write) or 1.234: say which with --decimal-comma or --no-decimal-comma',
    );
    expect(sb.store.get('accounts', 'eu1')).toBeUndefined();
    // With it, the number is the one the export meant.
    const right = await runCli(['push', fixed, '--object', 'account', '--map', 'seats=traits.seats:number', '--decimal-comma'], { env });
    expect(right.code).toBe(0);
    expect(sb.store.get('accounts', 'eu1')).toMatchObject({ name: 'EU One', traits: { seats: 1234 } });
  });

  it('an NDJSON file that merely has a row or error field is not taken for a rejects file', async () => {
    const file = writeTemp(dir, 'plain.ndjson', '{"externalId":"acme","name":"Acme","error":"none"}\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ traits: { error: 'none' } });
    expect(summaryOf(r).notes).toBeUndefined();
  });
});
