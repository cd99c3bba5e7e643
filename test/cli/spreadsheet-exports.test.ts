/**
 * Files as spreadsheets export them: their column names, their delimiters, their trailing commas, their
 * numbers and dates. Each case is a real file pushed through the CLI to the sandbox.
 */
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

/** What the sandbox was asked to change (reading Vitally's trait catalogue, a GET, changes nothing). */
const writes = () => sb.requests.filter((r) => r.method !== 'GET');

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
    expect(writes()).toEqual([]);
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

  it('a "sep=;" line above the header (as some exports write for Excel) names the delimiter and is no row', async () => {
    const file = writeTemp(dir, 'sep.csv', 'sep=;\r\nexternalId;name\r\nacme;Acme, Inc.\r\n;Nameless\r\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.line, x.status])).toEqual([
      [1, 3, 'ok'],
      [2, 4, 'failed'],
    ]);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme, Inc.' });
    expect(summaryOf(r).notes).toEqual([`${file}: the delimiter is ";", named by the file's first line "sep=;" (read as no record)`]);
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

describe('two columns for one field', () => {
  it.each([
    ['user', 'users.csv', 'externalId,Email,E-mail,accountIds\nu1,ann@acme.test,ann.old@acme.test,x\n', 'columns "Email" and "E-mail" both fill email'],
    ['account', 'accounts.csv', 'External ID,external_id,name\nacme,acme-2,Acme\n', 'columns "External ID" and "external_id" both fill externalId'],
    ['account', 'plans.csv', 'externalId,name,traits.plan,plan\nacme,Acme,Pro,Basic\n', 'columns "traits.plan" and "plan" both fill traits.plan'],
  ])('%s: %s is refused before anything is sent, naming both columns and the field', async (object, name, text, message) => {
    const r = await runCli(['push', writeTemp(dir, name, text), '--object', object, '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'INPUT_COLUMNS', exitCode: 2 });
    expect(errorOf(r)?.message).toContain(message);
    expect(errorOf(r)?.message).toContain('Nothing was sent');
    // No result and no summary line: the run never started.
    expect(r.json).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it('the refusal is all a person sees: no summary of a run that sent nothing', async () => {
    const r = await runCli(['push', writeTemp(dir, 'accounts.csv', 'External ID,external_id,name\nacme,acme-2,Acme\n'), '--object', 'account'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'vitally-sync: columns "External ID" and "external_id" both fill externalId: keep one (--ignore "external_id"), or map the other elsewhere (--map "external_id=traits.<name>"). Nothing was sent\n',
    );
    expect(writes()).toEqual([]);
  });

  it('--ignore one of them sends the other', async () => {
    const file = writeTemp(dir, 'accounts.csv', 'External ID,external_id,name\nacme,acme-2,Acme\n');
    const r = await runCli(['push', file, '--object', 'account', '--ignore', 'external_id'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme' });
  });

  it('a column and the one --map sends to the same trait are refused: neither value silently wins', async () => {
    const file = writeTemp(dir, 'tiers.csv', 'externalId,name,tier,plan\nacme,Acme,Pro,Basic\n');
    const r = await runCli(['push', file, '--object', 'account', '--map', 'tier=traits.plan', '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'INPUT_COLUMNS', exitCode: 2 });
    expect(errorOf(r)?.message).toContain('columns "tier" and "plan" both fill traits.plan');
    expect(writes()).toEqual([]);
  });

  it('NDJSON: a later line holding two columns for one trait fails alone', async () => {
    const file = writeTemp(
      dir,
      'plans.ndjson',
      '{"externalId":"a","name":"A","plan":"Pro"}\n{"externalId":"b","name":"B","plan":"Pro","traits.plan":"Basic"}\n',
    );
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.error])).toEqual([
      ['a', 'ok', null],
      [
        'b',
        'failed',
        'columns "plan" and "traits.plan" both fill traits.plan: keep one (--ignore "traits.plan"), or map the other elsewhere (--map "traits.plan=traits.<name>")',
      ],
    ]);
    expect(sb.store.get('accounts', 'b')).toBeUndefined();
  });

  it('NDJSON: a later line holding both fails alone', async () => {
    const file = writeTemp(
      dir,
      'users.ndjson',
      '{"externalId":"u1","email":"a@x.test","accountIds":["x"]}\n{"externalId":"u2","email":"b@x.test","e-mail":"c@x.test","accountIds":["x"]}\n',
    );
    const r = await runCli(['push', file, '--object', 'user', '--json', '--dry-run'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.error])).toEqual([
      ['u1', 'ok', null],
      ['u2', 'failed', 'columns "email" and "e-mail" both fill email: keep one (--ignore "e-mail"), or map the other elsewhere (--map "e-mail=traits.<name>")'],
    ]);
  });
});

describe("spreadsheets' names for the fields", () => {
  it('Company Name fills name, and the summary says which names it matched', async () => {
    const file = writeTemp(dir, 'crm.csv', 'Account ID,Company Name,Plan\nacme,Acme Inc,Pro\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme Inc', traits: { Plan: 'Pro' } });
    expect(summaryOf(r).notes).toEqual([
      'columns matched by their common names (docs/mapping.md): "Account ID" -> externalId, "Company Name" -> name; --map a column to send it elsewhere',
    ]);
  });

  it("user_id fills a user's externalId, and its account by company id", async () => {
    await runCli(['push', writeTemp(dir, 'acme.csv', 'externalId,name\nacme,Acme\n'), '--object', 'account'], { env });
    const file = writeTemp(dir, 'contacts.csv', 'user_id,Full Name,E-mail Address,Company ID\nu1,Ann Smith,ann@acme.test,acme\n');
    const r = await runCli(['push', file, '--object', 'user', '--json'], { env });
    expect(r.code).toBe(0);
    const acme = sb.store.get('accounts', 'acme')!;
    expect(sb.store.get('users', 'u1')).toMatchObject({ name: 'Ann Smith', email: 'ann@acme.test', accountIds: [acme.id] });
  });

  it('a field a create needs that no column fills, while a column looks like it, is warned about, pointing to --map and init', async () => {
    const file = writeTemp(dir, 'names.csv', 'externalId,Customer Full Name\nacme,Acme Inc\n');
    const r = await runCli(['push', file, '--object', 'account', '--json', '--dry-run'], { env });
    expect(summaryOf(r).warnings).toEqual([
      'name is needed to create an account, and no column fills it; column "Customer Full Name" may hold it: --map "Customer Full Name=name", or let `vitally-sync init <file> --object account` propose a mapping',
    ]);
    const mapped = await runCli(['push', file, '--object', 'account', '--map', 'Customer Full Name=name'], { env });
    expect(mapped.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme Inc' });
  });
});

describe("another object's links", () => {
  it("a conversation's accountExternalId is refused, saying a conversation goes with the user taking part", async () => {
    const file = writeTemp(dir, 'conversations.csv', 'accountExternalId,userExternalId,body\nacme,u1,Hello\n');
    const r = await runCli(['push', file, '--object', 'conversation', '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'INPUT_COLUMNS', exitCode: 2 });
    const message = errorOf(r)?.message;
    expect(message).toContain('column "accountExternalId": conversations take no "accountExternalId" (a link of');
    expect(message).toContain(
      "a conversation links to userExternalId (your id of the user taking part: Vitally files the conversation under that user's accounts)",
    );
    expect(message).toContain('--map accountExternalId=traits.accountExternalId');
    expect(writes()).toEqual([]);
    // Kept as a trait on purpose, it goes.
    const kept = await runCli(['push', file, '--object', 'conversation', '--map', 'accountExternalId=traits.accountExternalId', '--dry-run', '--json'], {
      env,
    });
    expect(kept.code).toBe(0);
    expect(JSON.stringify(rows(kept)[0]!.requests)).toContain('"accountExternalId":"acme"');
  });

  it('an organization, which links to no other record, is told so: the refusal offers only what it can do', async () => {
    const file = writeTemp(dir, 'organizations.csv', 'externalId,name,accountExternalId\norg1,Org One,acme\n');
    const r = await runCli(['push', file, '--object', 'organization', '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)?.message).toBe(
      'column "accountExternalId": organizations take no "accountExternalId" (a link of users, notes, tasks, custom:<name>s); an organization links to no other record. ' +
        'Keep it as a trait (--map accountExternalId=traits.accountExternalId), or leave it out (--ignore accountExternalId). Nothing was sent',
    );
    expect(writes()).toEqual([]);
  });
});

describe('numbers and dates written the European way', () => {
  /** A ;-separated export as a German Excel writes it: decimal commas, day-first dates, Windows-1252. */
  const european = () =>
    writeTemp(
      dir,
      'european.csv',
      Buffer.from([...'externalId;name;mrr;renews\r\nacme;Müller AG;1.234,50;31.12.2026\r\nzeta;Zeta;12.000;01.03.2027\r\n'].map((c) => c.charCodeAt(0))),
    );
  const typed = ['--map', 'mrr=traits.mrr:number', '--map', 'renews=traits.nextRenewalDate:date'];

  it('are read with --decimal-comma and --date-format', async () => {
    const r = await runCli(
      ['push', european(), '--object', 'account', '--encoding', 'windows-1252', '--decimal-comma', '--date-format', 'DD.MM.YYYY', ...typed],
      {
        env,
      },
    );
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Müller AG', traits: { mrr: 1234.5, nextRenewalDate: '2026-12-31' } });
    expect(sb.store.get('accounts', 'zeta')).toMatchObject({ traits: { mrr: 12000, nextRenewalDate: '2027-03-01' } });
  });

  it('without the options, each such cell fails its row with the option to give: no wrong value is sent', async () => {
    const r = await runCli(['push', european(), '--object', 'account', '--encoding', 'windows-1252', '--json', ...typed], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => x.error)).toEqual([
      'column "mrr" -> traits.mrr (number): "1.234,50" is not a number here: it is written with a decimal comma (1234.5 with --decimal-comma)',
      'column "mrr" -> traits.mrr (number): "12.000" could be 12000 (a dot between thousands, as ";"-separated exports write) or 12: say which with --decimal-comma or --no-decimal-comma',
    ]);
    const dates = await runCli(['push', european(), '--object', 'account', '--encoding', 'windows-1252', '--decimal-comma', '--json', ...typed], { env });
    expect(rows(dates)[0]!.error).toBe(
      'column "renews" -> traits.nextRenewalDate (date): "31.12.2026" is not an ISO 8601 date: it reads day first: --date-format DD.MM.YYYY',
    );
    expect(writes()).toEqual([]);
  });

  it('trait columns typed from their first rows follow the same rule: --decimal-comma makes them numbers, and 12.000 is never 12', async () => {
    const file = writeTemp(dir, 'seats.csv', 'externalId;name;seats;mrr\nacme;Acme;12.000;1.234,50\nzeta;Zeta;1.500;980,00\n');
    const said = await runCli(['push', file, '--object', 'account', '--decimal-comma'], { env });
    expect(said.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ traits: { seats: 12000, mrr: 1234.5 } });
    expect(sb.store.get('accounts', 'zeta')).toMatchObject({ traits: { seats: 1500, mrr: 980 } });
    sb.reset();
    // Not said: the seats look like numbers, but in a ;-separated file they could be thousands.
    const unsaid = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(unsaid.code).toBe(1);
    expect(rows(unsaid)[0]!.error).toContain('"12.000" could be 12000 (a dot between thousands, as ";"-separated exports write) or 12');
    expect(writes()).toEqual([]);
  });

  it('a --date-format that cannot say a date is refused before anything is read', async () => {
    const r = await runCli(['push', european(), '--object', 'account', '--date-format', 'DD.MM.YY'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--date-format "DD.MM.YY" has "Y" where YYYY, MM, DD, HH, mm, ss or a separator go');
  });
});

describe("the README's Windows export", () => {
  it('fixtures/accounts-windows.csv goes as the quick start shows', async () => {
    const r = await runCli(
      [
        'push',
        'fixtures/accounts-windows.csv',
        '--object',
        'account',
        '--encoding',
        'windows-1252',
        '--decimal-comma',
        '--date-format',
        'DD.MM.YYYY',
        '--map',
        'MRR=traits.mrr:number',
        '--map',
        'Renewal Date=traits.nextRenewalDate:date',
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'soc-gen')).toMatchObject({ name: 'Société Générale', traits: { mrr: 980, nextRenewalDate: '2027-03-01', Plan: 'Basic' } });
    expect(sb.store.get('accounts', 'mueller')).toMatchObject({ name: 'Müller & Söhne GmbH', traits: { mrr: 12000 } });
    expect(summaryOf(r).notes).toHaveLength(3);
    const refused = await runCli(['push', 'fixtures/accounts-windows.csv', '--object', 'account'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('fixtures/accounts-windows.csv is not UTF-8 text: line 3');
    expect(refused.stderr).toContain('The file was read whole before the run: nothing was sent');
  });
});
