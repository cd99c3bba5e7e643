import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type CustomField, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, rows, runCli, sandboxEnv, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

const FIELDS = JSON.parse(readFileSync('fixtures/custom-fields.json', 'utf8')) as CustomField[];
const CATALOGUE_GET = 'GET /resources/customFields?model=accounts';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let n = 0;

beforeAll(async () => {
  sb = await createSandbox({ customFields: FIELDS, rateLimit: FAST_RATE });
  dir = tempDir();
  env = sandboxEnv(sb);
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

const writes = () => sb.requests.filter((r) => r.method !== 'GET');
const gets = () => sb.requests.filter((r) => r.method === 'GET').map((r) => `${r.method} ${r.path}`);
const push = (file: string, ...args: string[]) => runCli(['push', file, '--object', 'account', '--json', ...args], { env });

const TYPED_CSV =
  'externalId,name,mrr,traits.vitally.custom.seats,traits.vitally.custom.paying,traits.vitally.custom.contractStart,traits.vitally.custom.lastLoginAt,traits.vitally.custom.plan,traits.vitally.custom.regions,traits.vitally.custom.nextStep\n' +
  'acme,Acme,1200.5,120,yes,2024-01-15T10:00:00Z,2026-11-20 09:15,growth,EMEA; apac,Call them\n';

describe('push --types vitally', () => {
  it("converts the cells of known traits by Vitally's type: number, boolean, date, date-time, picklist, multi-value, text", async () => {
    const file = writeTemp(dir, 'typed.csv', TYPED_CSV);
    const r = await push(file, '--types', 'vitally');
    expect(r.code).toBe(0);
    expect(gets()).toContain(CATALOGUE_GET);
    expect(sb.store.get('accounts', 'acme')!.traits).toEqual({
      mrr: 1200.5,
      'vitally.custom.seats': 120,
      'vitally.custom.paying': true,
      'vitally.custom.contractStart': '2024-01-15',
      'vitally.custom.lastLoginAt': '2026-11-20T09:15:00.000Z',
      'vitally.custom.plan': 'Growth',
      'vitally.custom.regions': ['EMEA', 'APAC'],
      'vitally.custom.nextStep': 'Call them',
    });
    expect(summaryOf(r).warnings).toBeUndefined();
  });

  it('--types as-read leaves cells as read (and asks Vitally nothing), and an explicit --map type still wins', async () => {
    const file = writeTemp(dir, 'typed2.csv', TYPED_CSV);
    expect((await push(file, '--types', 'as-read')).code).toBe(0);
    expect(gets()).not.toContain(CATALOGUE_GET);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ mrr: '1200.5', 'vitally.custom.seats': '120', 'vitally.custom.regions': 'EMEA; apac' });

    const r = await push(file, '--types', 'vitally', '--map', 'traits.vitally.custom.seats=traits.vitally.custom.seats:string', '--map', 'mrr=traits.mrr');
    expect(r.code).toBe(0);
    // --map without a type takes the catalogue's; with a type, its own.
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ mrr: 1200.5, 'vitally.custom.seats': '120', 'vitally.custom.paying': true });
  });

  it('a picklist value outside its options fails its row alone, naming the trait, its type and the value', async () => {
    const file = writeTemp(
      dir,
      'plans.csv',
      'externalId,name,traits.vitally.custom.plan,traits.vitally.custom.seats\na,A,Growth,1\nb,B,Platinum,2\nc,C,starter,3\nd,D,Enterprise,many\n',
    );
    const rejects = join(dir, 'plans-rejects.ndjson');
    const r = await push(file, '--types', 'vitally', '--rejects', rejects);
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status])).toEqual([
      ['a', 'ok'],
      ['b', 'failed'],
      ['c', 'ok'],
      ['d', 'failed'],
    ]);
    expect(rows(r)[1]!.error).toBe(
      'column "traits.vitally.custom.plan" -> traits.vitally.custom.plan (picklist): "Platinum" is not one of its options (Starter, Growth, Enterprise)',
    );
    expect(rows(r)[3]!.error).toBe('column "traits.vitally.custom.seats" -> traits.vitally.custom.seats (number): "many" is not a number');
    expect(writes().some((w) => w.body.includes('Platinum'))).toBe(false);
    expect(sb.store.get('accounts', 'b')).toBeUndefined();
    expect(sb.store.get('accounts', 'c')!.traits).toEqual({ 'vitally.custom.plan': 'Starter', 'vitally.custom.seats': 3 });
    expect(readFileSync(rejects, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('a multi-value cell is split by --list-separator and each value checked', async () => {
    const file = writeTemp(dir, 'regions.csv', 'externalId,name,traits.vitally.custom.regions\na,A,EMEA|AMER\nb,B,EMEA|Mars\n');
    const r = await push(file, '--types', 'vitally', '--list-separator', '|');
    expect(rows(r).map((x) => x.status)).toEqual(['ok', 'failed']);
    expect(rows(r)[1]!.error).toContain('traits.vitally.custom.regions (multiPicklist): "Mars" is not one of its options (EMEA, AMER, APAC)');
    expect(sb.store.get('accounts', 'a')!.traits).toEqual({ 'vitally.custom.regions': ['EMEA', 'AMER'] });
  });
});

describe('unknown trait keys', () => {
  const file = () => writeTemp(dir, `keys-${++n}.csv`, 'externalId,name,mmr,plan,traits.vitally.custom.seats\na,A,10,Growth,3\nb,B,20,Starter,4\n');

  it('are reported once in the summary with the closest known key, and the rows still go', async () => {
    const r = await push(file(), '--types', 'vitally');
    expect(r.code).toBe(0);
    expect(summaryOf(r).warnings).toEqual([
      'mmr: not a known account trait; did you mean mrr? (--map mmr=traits.mrr)',
      'plan: not a known account trait; did you mean vitally.custom.plan? (--map plan=traits.vitally.custom.plan)',
    ]);
    // Not renamed: the column goes under its own name, as read.
    expect(sb.store.get('accounts', 'a')!.traits).toEqual({ mmr: '10', plan: 'Growth', 'vitally.custom.seats': 3 });

    const human = await runCli(
      [
        'push',
        file(),
        '--object',
        'account',
        '--strict-traits',
        '--types',
        'vitally',
        '--dry-run',
        '--custom-fields',
        'fixtures/custom-fields.json',
        '--map',
        'mmr=traits.mrr',
        '--map',
        'plan=traits.vitally.custom.plan',
      ],
      { env },
    );
    expect(human.code).toBe(0);
    expect(human.stdout).not.toContain('Warning');
  });

  it('--strict-traits refuses them before any row is sent (exit 2)', async () => {
    const r = await push(file(), '--strict-traits');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      '--strict-traits: 2 trait keys are not known account traits in Vitally: mmr (did you mean mrr?), plan (did you mean vitally.custom.plan?)',
    );
    expect(r.stderr).toContain('Nothing was sent');
    expect(writes()).toHaveLength(0);
    expect(rows(r)).toHaveLength(0);
  });

  it('--strict-traits reads a whole NDJSON file first: a key first met in a late row still stops the run before any write', async () => {
    const nd = writeTemp(
      dir,
      'late.ndjson',
      '{"externalId":"a","name":"A"}\n{"externalId":"b","name":"B"}\n{"externalId":"c","name":"C","traits":{"vitally.custom.seets":5}}\n',
    );
    const r = await push(nd, '--strict-traits');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vitally.custom.seets (did you mean vitally.custom.seats?)');
    expect(writes()).toHaveLength(0);
  });

  it('--strict-traits on standard input stops where an unknown key first appears', async () => {
    const r = await runCli(['push', '-', '--format', 'csv', '--object', 'account', '--strict-traits', '--json'], {
      env,
      stdin: 'externalId,name,mmr\na,A,1\n',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mmr (did you mean mrr?)');
    expect(writes()).toHaveLength(0);
  });
});

describe('the catalogue is fetched once a run and kept a day', () => {
  it('a second run uses the stored copy; --refresh-schema and a day-old copy ask again; a dry run never asks', async () => {
    const state = join(dir, `cache-${++n}.db`);
    const file = writeTemp(dir, 'cache.csv', 'externalId,name,traits.vitally.custom.seats\na,A,1\n');
    const run = (...a: string[]) => push(file, '--types', 'vitally', '--state', state, ...a);
    await run();
    expect(gets().filter((g) => g === CATALOGUE_GET)).toHaveLength(1);

    sb.requests.length = 0;
    writeTemp(dir, 'cache.csv', 'externalId,name,traits.vitally.custom.seats\na,A,2\n');
    await run();
    expect(gets()).not.toContain(CATALOGUE_GET);
    expect(sb.store.get('accounts', 'a')!.traits).toEqual({ 'vitally.custom.seats': 2 });

    await run('--refresh-schema');
    expect(gets()).toContain(CATALOGUE_GET);

    const db = new Database(state);
    db.prepare('UPDATE cache SET fetched_at = ?').run(new Date(Date.now() - 25 * 3600_000).toISOString());
    db.close();
    sb.requests.length = 0;
    // A dry run with the token reads a copy that is out of date again (a GET changes nothing), and writes nothing.
    const dry = await run('--dry-run', '--full');
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual([CATALOGUE_GET]);
    expect(rows(dry)[0]!.requests[0].body).toEqual({ name: 'A', traits: { 'vitally.custom.seats': 2 } });

    // The copy was not refreshed by the dry run; when Vitally then cannot give the catalogue, the old copy serves.
    sb.requests.length = 0;
    sb.options.failRate = 1;
    const stale = await run('--max-retries', '0', '--full', '--dry-run');
    sb.options.failRate = 0;
    expect(summaryOf(stale).warnings![0]).toMatch(/stored copy of .* \(more than a day old\): GET \/resources\/customFields\?model=accounts answered 503/);
    expect(rows(stale)[0]!.requests[0].body).toEqual({ name: 'A', traits: { 'vitally.custom.seats': 2 } });

    sb.requests.length = 0;
    await run();
    expect(gets()).toEqual([CATALOGUE_GET]);
  });

  it('a dry run with the token checks as a real run does; without one it says plainly what it could not check', async () => {
    const file = writeTemp(dir, 'nocache.csv', 'externalId,name,mmr,traits.vitally.custom.plan\na,A,1,starter\n');
    const strict = await push(file, '--types', 'vitally', '--dry-run', '--strict-traits');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('mmr (did you mean mrr?)');
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual([CATALOGUE_GET]);

    // With the token, the dry run prints the picklist's own spelling, as the real run sends it.
    const dry = await push(file, '--dry-run');
    expect(rows(dry)[0]!.requests[0].body.traits).toEqual({ mmr: 1, 'vitally.custom.plan': 'Starter' });

    sb.requests.length = 0;
    const blind = await runCli(['push', file, '--object', 'account', '--json', '--dry-run'], { env: { VITALLY_BASE_URL: sb.url } });
    expect(blind.code).toBe(0);
    expect(sb.requests).toHaveLength(0);
    expect(rows(blind)[0]!.requests[0].body.traits).toEqual({ mmr: 1, 'vitally.custom.plan': 'starter' });
    expect(summaryOf(blind).warnings).toEqual([
      expect.stringContaining("Vitally's account trait catalogue was not read: there is no REST API token to ask for it with"),
      "these trait columns were not checked against Vitally's account trait catalogue, so a run that reads it may send them otherwise, converted by Vitally's type where it has one (a picklist to its options' spelling, a list, text that holds digits): mmr, traits.vitally.custom.plan",
    ]);
  });

  it('--sandbox takes its catalogue from --custom-fields', async () => {
    const file = writeTemp(dir, 'sbx.csv', 'externalId,name,traits.vitally.custom.paying,mmr\na,A,no,1\n');
    const r = await runCli(
      ['push', file, '--object', 'account', '--sandbox', '--custom-fields', 'fixtures/custom-fields.json', '--types', 'vitally', '--json'],
      { env: {} },
    );
    expect(r.code).toBe(0);
    expect(summaryOf(r).warnings).toEqual(['mmr: not a known account trait; did you mean mrr? (--map mmr=traits.mrr)']);
  });

  it('a catalogue Vitally cannot give stops the run before any row (exit 2); a refused token exits 3', async () => {
    const file = writeTemp(dir, 'fail.csv', 'externalId,name\na,A\n');
    sb.options.failRate = 1;
    const r = await push(file, '--types', 'vitally', '--max-retries', '0');
    sb.options.failRate = 0;
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("Could not read Vitally's account trait catalogue: GET /resources/customFields?model=accounts answered 503");
    expect(writes()).toHaveLength(0);

    const bad = await runCli(['push', file, '--object', 'account', '--types', 'vitally'], { env: { ...env, VITALLY_API_TOKEN: 'sk_wrong_token' } });
    expect(bad.code).toBe(3);
    expect(bad.stderr).not.toContain('sk_wrong_token');
  });

  it('--types takes auto, vitally or as-read; --refresh-schema needs a catalogue to read', async () => {
    expect((await runCli(['push', 'x.csv', '--object', 'account', '--types', 'guess'], { env })).code).toBe(2);
    expect((await runCli(['push', 'x.csv', '--object', 'account', '--types', 'as-read', '--refresh-schema'], { env })).stderr).toContain(
      '--refresh-schema: the trait catalogue is not read (--types as-read)',
    );
    expect(
      (await runCli(['push', 'x.csv', '--object', 'event', '--event', 'e', '--types', 'vitally'], { env: { ...env, VITALLY_ANALYTICS_TOKEN: 'a' } })).stderr,
    ).toContain('--types vitally: Vitally keeps no trait catalogue for events');
  });
});
