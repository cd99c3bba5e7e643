/** Typed traits by default, end to end against both Vitallys the sandbox plays. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, rowRequests, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

const CSV =
  'externalId,name,mrr,seats,zip,paying,renews,crm_id,plan\nacme,Acme,1200,120,02134,true,2027-01-31,004211,Growth\nglobex,Globex,99.5,7,10001,false,2027-03-01,1,Starter\n';

describe.each(PROFILES)('trait types (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile });

  it('a plain push sends numbers as numbers, true/false and dates typed, and codes with leading zeros as text', async () => {
    const file = writeTemp(dir, 'plain.csv', CSV);
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    const created = (key: string) => rowRequests(sb).find((q) => q.method === 'POST' && JSON.parse(q.body).externalId === key)!.body;
    expect(JSON.parse(created('acme')).traits).toEqual({
      mrr: 1200,
      seats: 120,
      zip: '02134',
      paying: true,
      renews: '2027-01-31',
      crm_id: '004211',
      plan: 'Growth',
    });
    expect(created('globex')).toContain('"mrr":99.5,"seats":7,"zip":"10001","paying":false');
    expect(summaryOf(r).traitTypes).toEqual([
      { column: 'mrr', trait: 'mrr', type: 'number', from: 'vitally' },
      { column: 'seats', trait: 'seats', type: 'number', from: 'inferred' },
      { column: 'zip', trait: 'zip', type: 'as read', from: 'as-read' },
      { column: 'paying', trait: 'paying', type: 'boolean', from: 'inferred' },
      { column: 'renews', trait: 'renews', type: 'date', from: 'inferred' },
      { column: 'crm_id', trait: 'crm_id', type: 'as read', from: 'as-read' },
      { column: 'plan', trait: 'plan', type: 'as read', from: 'as-read' },
    ]);
  });

  it('the types are shown in a dry run and the summary; a later cell that does not fit fails its row alone', async () => {
    const rowsCsv = ['externalId,name,seats', ...Array.from({ length: 1200 }, (_, i) => `a${i},A${i},${i}`), 'late,Late,n/a', 'after,After,3'];
    const file = writeTemp(dir, 'late.csv', rowsCsv.join('\n'));
    const rejects = join(dir, 'late-rejects.ndjson');
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json', '--rejects', rejects], { env });
    expect(r.code).toBe(1);
    const failed = rows(r).filter((x) => x.status === 'failed');
    expect(failed).toEqual([
      expect.objectContaining({
        key: 'late',
        action: 'invalid',
        error:
          'column "seats" -> traits.seats (number, from the values of the first 1000 rows): "n/a" is not a number; --map seats=traits.seats:string sends the column as text',
      }),
    ]);
    expect(sb.store.get('accounts', 'after')!.traits).toEqual({ seats: 3 });

    const human = await runCli(['push', file, '--object', 'account', '--dry-run'], { env });
    expect(human.stdout).toContain('Trait types: seats number (from its values)');
    expect(human.stdout).toMatch(/^ {4}PUT \/resources\/accounts\/a7 \{"name":"A7","traits":\{"seats":7\}\}$/m);
  });

  it('--types as-read sends every trait cell as read; --map types a column', async () => {
    const file = writeTemp(dir, 'as-read.csv', CSV);
    const r = await runCli(['push', file, '--object', 'account', '--types', 'as-read', '--map', 'seats=traits.seats:number', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rowRequests(sb).some((q) => q.path.startsWith('/resources/customFields'))).toBe(false);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ mrr: '1200', seats: 120, paying: 'true', zip: '02134' });
  });

  it('values already typed (NDJSON) are kept as they are: no type is read from them', async () => {
    const file = writeTemp(dir, 'typed.ndjson', '{"externalId":"n1","name":"N1","zip":"10001","seats":3}\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'n1')!.traits).toEqual({ zip: '10001', seats: 3 });
  });
});
