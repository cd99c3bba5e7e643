import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type CustomField, type Sandbox } from '../../src/sandbox/index.js';
import { errorOf, rows, runCli, sandboxEnv, summaryOf, tempDir } from '../helpers/cli.js';

const FIELDS = JSON.parse(readFileSync('fixtures/custom-fields.json', 'utf8')) as CustomField[];
const EXPORT = join(process.cwd(), 'fixtures/export-accounts.csv');

let sb: Sandbox;
let env: Record<string, string>;
let dir: string;
let config: string;

beforeAll(async () => {
  sb = await createSandbox({ customFields: FIELDS });
  env = sandboxEnv(sb);
});
afterAll(() => sb.close());
beforeEach(() => {
  sb.reset();
  dir = tempDir();
  config = join(dir, 'vitally-sync.config.json');
});

const init = (...args: string[]) => runCli(['init', EXPORT, '--object', 'account', '--config', config, '--no-state', ...args], { env });
const readConfig = () => JSON.parse(readFileSync(config, 'utf8'));

const PROPOSED_MAP = {
  id: 'externalId',
  company_name: 'name',
  mrr: 'traits.mrr:number',
  next_renewal_date: 'traits.nextRenewalDate:date',
  plan: 'traits.vitally.custom.plan',
  seats: 'traits.vitally.custom.seats:number',
  paying: 'traits.vitally.custom.paying:boolean',
  contract_start: 'traits.vitally.custom.contractStart:date',
  last_login: 'traits.vitally.custom.lastLoginAt:datetime',
  regions: 'traits.vitally.custom.regions',
  industry: 'traits.industry',
  employees: 'traits.employees:number',
};

describe('init', () => {
  it('proposes a mapping for a sample export from the catalogue and the sampled values, and writes it as a named sync', async () => {
    const r = await init();
    expect(r.code).toBe(0);
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /resources/customFields?model=accounts']);
    const sync = readConfig().syncs['export-accounts'];
    expect(sync).toEqual({
      description: 'Proposed by vitally-sync init from export-accounts.csv (4 sampled rows)',
      file: EXPORT,
      object: 'account',
      mode: 'upsert',
      map: PROPOSED_MAP,
      ignore: ['nxt_step', 'internal_notes'],
    });
    // It says what it decided and why.
    expect(r.stdout).toContain("Vitally's account trait catalogue: 7 custom traits (asked of Vitally).");
    expect(r.stdout).toMatch(/company_name\s+-> name\s+common name for name/);
    expect(r.stdout).toMatch(
      /plan\s+-> traits\.vitally\.custom\.plan\s+custom trait "Plan" by the last part of its key: picklist \(Starter, Growth, Enterprise\)/,
    );
    expect(r.stdout).toMatch(/employees\s+-> traits\.employees:number\s+not in Vitally's account catalogue: a new trait; numbers in all 4 sampled rows/);
    expect(r.stdout).toMatch(
      /To review:\n\s+nxt_step\s+\(left out\) did you mean traits\.vitally\.custom\.nextStep\? Left out until you choose\n\s+internal_notes\s+\(left out\) empty in all 4 sampled rows/,
    );
    expect(r.stdout).toContain('Picklist and multi-value traits (plan, regions): run with --types vitally');
    expect(r.stdout).toContain('vitally-sync run export-accounts --types vitally --dry-run');
    expect(r.stdout).toContain(`Wrote the sync "export-accounts" in ${config} (new file).`);
    expect(r.stdout).not.toContain(sb.token);
  });

  it('the proposal runs as `vitally-sync run <name>`', async () => {
    expect((await init('--name', 'accounts')).code).toBe(0);
    const r = await runCli(['run', 'accounts', '--config', config, '--types', 'vitally', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.key, x.status, x.action])).toEqual([
      ['acme', 'ok', 'created'],
      ['globex', 'ok', 'created'],
      ['initech', 'ok', 'created'],
      ['umbrella', 'ok', 'created'],
    ]);
    // The new traits the proposal made are not in Vitally's catalogue (yet): the run says so, once each.
    expect(summaryOf(r).warnings).toEqual([
      "industry: not a known account trait; nothing close in Vitally's catalogue",
      "employees: not a known account trait; nothing close in Vitally's catalogue",
    ]);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({
      name: 'Acme Inc',
      traits: {
        mrr: 1200,
        nextRenewalDate: '2026-12-31',
        'vitally.custom.plan': 'Enterprise',
        'vitally.custom.seats': 120,
        'vitally.custom.paying': true,
        'vitally.custom.contractStart': '2024-01-15',
        'vitally.custom.lastLoginAt': '2026-11-20T09:15:00.000Z',
        'vitally.custom.regions': ['EMEA', 'AMER'],
        industry: 'Manufacturing',
        employees: 5400,
      },
    });
    expect(sb.store.get('accounts', 'umbrella')!.traits).toMatchObject({ 'vitally.custom.plan': 'Starter' });
    expect(sb.store.get('accounts', 'acme')!.traits).not.toHaveProperty('nxt_step');
  });

  it('never replaces a sync of the same name without --force, and keeps the other syncs', async () => {
    writeFileSync(config, JSON.stringify({ connection: { region: 'us' }, syncs: { other: { file: 'x.csv', object: 'user' } } }));
    expect((await init()).code).toBe(0);
    const before = readFileSync(config, 'utf8');
    const again = await init();
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`${config} already has a sync named "export-accounts": pass --force to replace it`);
    expect(readFileSync(config, 'utf8')).toBe(before);
    const forced = await init('--force', '--mode', 'update', '--json');
    expect(forced.code).toBe(0);
    expect(forced.json[0]).toMatchObject({ name: 'export-accounts', replaced: true, created: false });
    expect(readConfig()).toMatchObject({ connection: { region: 'us' }, syncs: { other: { file: 'x.csv' }, 'export-accounts': { mode: 'update' } } });
  });

  it('edits a YAML config file in place, comments kept', async () => {
    config = join(dir, 'vitally-sync.config.yaml');
    writeFileSync(config, '# our syncs\nsyncs:\n  users: # nightly\n    file: users.csv\n    object: user\n');
    const r = await init('--name', 'accounts');
    expect(r.code).toBe(0);
    const text = readFileSync(config, 'utf8');
    expect(text).toContain('# our syncs');
    expect(text).toContain('# nightly');
    expect(parseYaml(text).syncs.accounts.map).toEqual(PROPOSED_MAP);
  });

  it('without a token it types traits from the sampled values only, and says so', async () => {
    const r = await runCli(['init', EXPORT, '--object', 'account', '--config', config, '--json'], { env: { VITALLY_BASE_URL: sb.url } });
    expect(r.code).toBe(0);
    const out = r.json[0]!;
    expect(out.catalogue).toBeNull();
    expect(out.note).toContain("Vitally's account trait catalogue was not read (No REST API token");
    expect(out.sync.map).toMatchObject({
      mrr: 'traits.mrr:number',
      plan: 'traits.plan',
      seats: 'traits.seats:number',
      paying: 'traits.paying:boolean',
      contract_start: 'traits.contract_start:date',
      nxt_step: 'traits.nxt_step',
    });
  });

  it('refuses bad names, objects without a catalogue, and files with nothing to sample', async () => {
    expect((await init('--name', '1st')).stderr).toContain('a sync name starts with a letter');
    expect((await runCli(['init', EXPORT, '--object', 'event', '--config', config], { env })).code).toBe(2);
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, 'id,name\n');
    const r = await runCli(['init', empty, '--object', 'account', '--config', config], { env });
    expect(r.code).toBe(2);
    const lines = join(dir, 'lines.ndjson');
    writeFileSync(lines, '{"externalId":"a","name":"A"}\n');
    const delimited = await runCli(['init', lines, '--object', 'account', '--config', config, '--delimiter', ';'], { env });
    expect(delimited.code).toBe(2);
    expect(delimited.stderr).toContain('--delimiter is for CSV input');
  });
});

describe('init on a Windows export (windows-1252, ;, decimal commas, day-first dates)', () => {
  const WINDOWS = join(process.cwd(), 'fixtures/accounts-windows.csv');
  const initWindows = (...args: string[]) =>
    runCli(['init', WINDOWS, '--object', 'account', '--config', config, '--no-state', '--encoding', 'windows-1252', '--json', ...args], { env });
  const review = (r: Awaited<ReturnType<typeof runCli>>, column: string) =>
    (JSON.parse(r.stdout) as { decisions: Array<{ column: string; target: string | null; review?: string }> }).decisions.find((d) => d.column === column);

  it('without --decimal-comma and --date-format, the review names the option each column needs', async () => {
    const r = await initWindows();
    expect(r.code).toBe(0);
    expect(review(r, 'MRR')?.review).toContain('(1234.5 with --decimal-comma)');
    expect(review(r, 'Renewal Date')).toMatchObject({ target: 'traits.Renewal Date' });
    expect(review(r, 'Renewal Date')?.review).toContain('"31.12.2026": it reads day first: --date-format DD.MM.YYYY');
  });

  it('with them, the proposal types the columns, the sync keeps them, and its run sends the values meant', async () => {
    const r = await initWindows('--decimal-comma', '--date-format', 'DD.MM.YYYY', '--name', 'windows');
    expect(r.code).toBe(0);
    expect(review(r, 'MRR')).toEqual(expect.not.objectContaining({ review: expect.anything() }));
    const sync = readConfig().syncs.windows;
    expect(sync).toMatchObject({ encoding: 'windows-1252', decimalComma: true, dateFormat: 'DD.MM.YYYY' });
    expect(sync.map).toMatchObject({
      'Account ID': 'externalId',
      'Company Name': 'name',
      MRR: 'traits.mrr:number',
      'Renewal Date': 'traits.Renewal Date:date',
    });
    // (This sandbox's catalogue has a picklist "plan" whose options are not the export's: Plan goes as read.)
    const run = await runCli(['run', 'windows', '--config', config, '--types', 'as-read', '--json'], { env });
    expect(run.code).toBe(0);
    expect(sb.store.get('accounts', 'soc-gen')).toMatchObject({ name: 'Société Générale', traits: { mrr: 980, 'Renewal Date': '2027-03-01' } });
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ mrr: 1234.5, 'Renewal Date': '2026-12-31' });
  });

  it('a --date-format that is no format is refused', async () => {
    const r = await initWindows('--date-format', 'DD.MM.YY');
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'CONFIG_INVALID_DATE_FORMAT', message: expect.stringContaining('--date-format "DD.MM.YY" has "Y"') });
  });
});
