import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, rowRequests, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

const writes = () => sb.requests.filter((r) => r.method !== 'GET');

describe.each(PROFILES)('push accounts, users and organizations (%s profile)', (profile) => {
  useSandbox((c) => ({ sb, dir, env } = c), { profile });

  it('upserts accounts from CSV: PUT by externalId, POST on 404, then PUT updates', async () => {
    const file = writeTemp(dir, 'a.csv', 'externalId,name,mrr\nacme,Acme,10\n"glo bex","Globex, Inc",20\n');
    const first = await runCli(['push', file, '--object', 'account', '--mode', 'upsert', '--json'], { env });
    expect(first.code).toBe(0);
    expect(rows(first).map((r) => [r.row, r.key, r.status, r.action, r.httpStatus])).toEqual([
      [1, 'acme', 'ok', 'created', 200],
      [2, 'glo bex', 'ok', 'created', 200],
    ]);
    expect(rows(first)[0]!.id).toBe(sb.store.get('accounts', 'acme')!.id);
    expect(sb.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(
      expect.arrayContaining(['PUT /resources/accounts/glo%20bex 404', 'POST /resources/accounts 200']),
    );
    // A plain CSV column of numbers is sent as numbers.
    expect(sb.store.get('accounts', 'glo bex')).toMatchObject({ name: 'Globex, Inc', traits: { mrr: 20 } });
    expect(summaryOf(first).traitTypes).toEqual([{ column: 'mrr', trait: 'mrr', type: 'number', from: 'vitally' }]);

    const again = await runCli(['push', file, '--object', 'account', '--mode', 'upsert', '--json', '--map', 'mrr=traits.mrr:number'], { env });
    expect(rows(again).map((r) => r.action)).toEqual(['updated', 'updated']);
    expect(sb.store.all('accounts')).toHaveLength(2);
    expect(sb.store.get('accounts', 'acme')!.traits).toEqual({ mrr: 10 });
    expect(summaryOf(again)).toMatchObject({ rows: 2, ok: 2, failed: 0, byAction: { updated: 2 } });
  });

  it('reads NDJSON with JSON types kept and a traits object merged', async () => {
    const file = writeTemp(dir, 'a.ndjson', '{"externalId":"n1","name":"N1","traits":{"mrr":5},"beta":true}\n\n{"externalId":"n2","name":"N2","seats":3}');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'n1')!.traits).toEqual({ mrr: 5, beta: true });
    expect(sb.store.get('accounts', 'n2')!.traits).toEqual({ seats: 3 });
    expect(rows(r).map((x) => x.row)).toEqual([1, 2]);
  });

  it('--empty null removes a trait in Vitally; the default leaves it alone', async () => {
    const full = writeTemp(dir, 'full.csv', 'externalId,name,plan,tier\nacme,Acme,gold,1\n');
    const blank = writeTemp(dir, 'blank.csv', 'externalId,name,plan,tier\nacme,Acme,,2\n');
    await runCli(['push', full, '--object', 'account'], { env });
    await runCli(['push', blank, '--object', 'account'], { env });
    expect(sb.store.get('accounts', 'acme')!.traits).toEqual({ plan: 'gold', tier: 2 });
    const sent = sb.requests.at(-1)!;
    // The live Vitally refuses a name on PUT: the PUT went again without it.
    expect(JSON.parse(sent.body)).toEqual(profile === 'live' ? { traits: { tier: 2 } } : { name: 'Acme', traits: { tier: 2 } });
    await runCli(['push', blank, '--object', 'account', '--empty', 'null'], { env });
    expect(sb.store.get('accounts', 'acme')!.traits).toEqual({ tier: 2 });
  });

  it('applies --mapping files, --map overrides and --ignore', async () => {
    const file = writeTemp(
      dir,
      'm.csv',
      'account_id,company,monthly_revenue,is_paying,renews_on,internal_notes,extra\nx1,X One,12.5,yes,2027-01-31,secret,keep\n',
    );
    const mapping = join(process.cwd(), 'fixtures/accounts-mapping.json');
    const r = await runCli(['push', file, '--object', 'account', '--mapping', mapping, '--ignore', 'extra', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'x1')).toMatchObject({
      name: 'X One',
      traits: { mrr: 12.5, paying: true, nextRenewalDate: '2027-01-31' },
    });
    expect(sb.store.get('accounts', 'x1')!.traits).not.toHaveProperty('internal_notes');
    expect(sb.store.get('accounts', 'x1')!.traits).not.toHaveProperty('extra');
  });

  it('a cell that cannot convert fails its row alone, with the row number and field', async () => {
    const file = writeTemp(dir, 'bad-mrr.csv', 'externalId,name,mrr\na,A,1\nb,B,lots\nc,C,3\n');
    const rejects = join(dir, 'rejects.ndjson');
    const r = await runCli(['push', file, '--object', 'account', '--map', 'mrr=traits.mrr:number', '--json', '--rejects', rejects], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => x.status)).toEqual(['ok', 'failed', 'ok']);
    expect(rows(r)[1]).toMatchObject({ row: 2, key: 'b', action: 'invalid', httpStatus: null });
    expect(rows(r)[1]!.error).toContain('traits.mrr (number): "lots" is not a number');
    expect(sb.store.get('accounts', 'b')).toBeUndefined();
    expect(writes().some((w) => w.body.includes('"B"'))).toBe(false);
    const rejected = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected).toEqual([{ row: 2, line: 3, key: 'b', error: expect.stringContaining('lots'), record: { externalId: 'b', name: 'B', mrr: 'lots' } }]);
    expect(summaryOf(r).rejectsFile).toBe(rejects);
  });

  it('validates each record: the failing rows are named and never sent', async () => {
    const file = writeTemp(dir, 'v.csv', 'externalId,name\n,No Key\nonly-key,\nok,Fine\nok,Twice\n');
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.status, x.error])).toEqual([
      [1, 'failed', 'externalId: required to create an account'],
      [2, 'failed', 'name: required to create an account'],
      [3, 'ok', null],
      [4, 'failed', 'duplicate externalId "ok": already in row 3 of this file'],
    ]);
    expect(writes()).toHaveLength(1);
  });

  it('insert POSTs; update PUTs and reports an unknown record as not found without creating it', async () => {
    const file = writeTemp(dir, 'o.csv', 'externalId,name,region\norg-1,One,emea\n');
    expect((await runCli(['push', file, '--object', 'organization', '--mode', 'insert'], { env })).code).toBe(0);
    expect(rowRequests(sb).map((q) => q.method)).toEqual(['POST']);
    const upd = writeTemp(dir, 'u.csv', 'externalId,name\norg-1,One renamed\norg-2,Two\n');
    const r = await runCli(['push', upd, '--object', 'organization', '--mode', 'update', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.action, x.httpStatus])).toEqual([
      ['org-1', 'ok', 'updated', 200],
      ['org-2', 'failed', 'not_found', 404],
    ]);
    expect(sb.store.get('organizations', 'org-2')).toBeUndefined();
    expect(sb.store.get('organizations', 'org-1')!.name).toBe('One renamed');
  });

  it('upsert of an unknown account without a name fails with the reason instead of a doomed POST', async () => {
    const file = writeTemp(dir, 'n.csv', 'externalId,mrr\nnew-one,5\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(rows(r)[0]).toMatchObject({ status: 'failed', action: 'invalid', httpStatus: 404, error: 'name: required to create an account' });
    expect(rowRequests(sb).map((q) => q.method)).toEqual(['PUT']);
  });

  it('creates users on accounts named by Vitally id, and needs at least one account or organization', async () => {
    await runCli(['push', 'fixtures/accounts.csv', '--object', 'account'], { env });
    const acme = sb.store.get('accounts', 'acme')!.id as string;
    const file = writeTemp(dir, 'users.csv', `externalId,name,email,accountId\nu1,Ada,ada@x.example,${acme}\nu2,Bob,bob@x.example,\n`);
    const r = await runCli(['push', file, '--object', 'user', '--json'], { env });
    expect(rows(r).map((x) => x.status)).toEqual(['ok', 'failed']);
    expect(rows(r)[1]!.error).toBe('accountIds or organizationIds: at least one is required');
    expect(sb.store.get('users', 'u1')).toMatchObject({ accountIds: [acme], email: 'ada@x.example' });
  });

  it('keeps results in input order with many requests in flight', async () => {
    const lines = ['externalId,name'];
    for (let i = 1; i <= 60; i++) lines.push(`k${i},Name ${i}`);
    const file = writeTemp(dir, 'many.csv', lines.join('\n'));
    sb.options.latencyMs = 5;
    const r = await runCli(['push', file, '--object', 'account', '--mode', 'insert', '--concurrency', '8', '--json'], { env });
    sb.options.latencyMs = 0;
    expect(rows(r).map((x) => x.row)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(sb.store.all('accounts')).toHaveLength(60);
  });

  it('reads stdin with -', async () => {
    const r = await runCli(['push', '-', '--format', 'ndjson', '--object', 'organization', '--json'], {
      env,
      stdin: '{"externalId":"s1","name":"From stdin"}\n',
    });
    expect(r.code).toBe(0);
    expect(sb.store.get('organizations', 's1')!.name).toBe('From stdin');
  });

  it('prints human lines and a summary by default', async () => {
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^row 1 +ok +created +acme +200 +id [0-9a-f-]{36}$/m);
    expect(r.stdout).toMatch(/Done: 4 rows \(4 ok, 0 skipped, 0 failed\): created 4/);
  });
});

describe('result lines', () => {
  it('a note follows the id, and the JSON line carries it only when there is one', async () => {
    const { humanLine, resultLine } = await import('../../src/cli/render.js');
    const r = { row: 1, key: 'acme', status: 'ok', action: 'updated', id: 'x1', httpStatus: 200, error: null, note: 'name not changed' } as const;
    expect(humanLine(r as any)).toMatch(/^row 1 +ok +updated +acme +200 +id x1; name not changed$/);
    expect(JSON.parse(resultLine(r as any))).toMatchObject({ note: 'name not changed' });
    expect(JSON.parse(resultLine({ ...r, note: undefined } as any))).not.toHaveProperty('note');
  });

  it('the fast JSON line equals JSON.stringify of the public result', async () => {
    const { resultLine } = await import('../../src/cli/render.js');
    const { publicResult } = await import('../../src/api/result.js');
    const cases = [
      { row: 1, line: 2, key: 'a"b', status: 'ok', action: 'created', id: 'x', httpStatus: 200, error: null },
      { row: 2, key: null, status: 'failed', action: 'invalid', id: null, httpStatus: null, error: 'bad\nthing', source: { a: 1 }, raw: 'r' },
      {
        row: 3,
        line: 4,
        key: 'k',
        status: 'ok',
        action: 'planned',
        id: null,
        httpStatus: null,
        error: null,
        requests: [
          { method: 'PUT', path: '/p/a%20b', body: JSON.stringify({ a: 'é "q"\n', n: [1, null] }) },
          { method: 'GET', path: '/q' },
        ],
      },
    ] as const;
    for (const c of cases) expect(resultLine(c as any)).toBe(JSON.stringify(publicResult(c as any)));
    // A request body is printed as the JSON it is, not as an escaped string.
    expect(JSON.parse(resultLine(cases[2] as any)).requests[0].body).toEqual({ a: 'é "q"\n', n: [1, null] });
  });
});
