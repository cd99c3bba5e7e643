/** Renames, a user in two accounts, an email two users share, a note's date: against both Vitallys. */
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { PROFILES, rowRequests, rows, runCli, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
let state: string;
let n = 0;

const push = (file: string, ...args: string[]) => runCli(['push', file, '--state', state, '--json', ...args], { env });
const said = () => rowRequests(sb).map((q) => `${q.method} ${q.path} ${q.status}`);

describe.each(PROFILES)('records as Vitally keeps them (%s profile)', (profile) => {
  const live = profile === 'live';
  useSandbox((c) => ({ sb, dir, env } = c), { profile });
  beforeEach(() => {
    state = join(dir, `state-${++n}.db`);
  });

  it('a rename Vitally refuses: the PUT goes again without the name, the row says so and how to rename, and the next run tries again', async () => {
    await push('fixtures/accounts.csv', '--object', 'account');
    const file = writeTemp(dir, `rename-${n}.csv`, 'externalId,name,mrr\nacme,Acme Corp,1300\n');
    sb.requests.length = 0;
    const r = await push(file, '--object', 'account');
    expect(r.code).toBe(0);
    expect(sb.store.get('accounts', 'acme')!.traits).toMatchObject({ mrr: 1300 });
    if (!live) {
      // The docs' Vitally renames by PUT.
      expect(rows(r)[0]).toMatchObject({ status: 'ok', action: 'updated' });
      expect(rows(r)[0]).not.toHaveProperty('note');
      expect(sb.store.get('accounts', 'acme')!.name).toBe('Acme Corp');
      return;
    }
    expect(said()).toEqual(['PUT /resources/accounts/acme 400', 'PUT /resources/accounts/acme 200']);
    expect(rowRequests(sb).map((q) => JSON.parse(q.body))).toEqual([{ name: 'Acme Corp', traits: { mrr: 1300 } }, { traits: { mrr: 1300 } }]);
    expect(sb.store.get('accounts', 'acme')!.name).toBe('Acme Inc');
    expect(rows(r)[0]).toMatchObject({
      status: 'ok',
      action: 'updated',
      note: 'name not changed: Vitally still has "Acme Inc", not "Acme Corp" (Vitally refuses "name" on PUT: account names are not editable through the REST API); rename through the Analytics API, which takes traits.name: push the same file with --via analytics',
    });
    // Without an Analytics token, the advice starts with getting one; the human line carries the note.
    const human = await runCli(['push', file, '--object', 'account', '--state', state], { env: { ...env, VITALLY_ANALYTICS_TOKEN: '' } });
    expect(human.stdout).toMatch(/^row 1 +ok +updated +acme +200 +id \S+; name not changed: .*set VITALLY_ANALYTICS_TOKEN/m);

    // The Analytics API renames; the next REST run then finds the name as the row has it, and records the row.
    await runCli(['push', file, '--object', 'account', '--via', 'analytics'], { env });
    await sb.settled();
    expect(sb.store.get('accounts', 'acme')!.name).toBe('Acme Corp');
    const after = await push(file, '--object', 'account');
    expect(rows(after)[0]).not.toHaveProperty('note');
    const again = await push(file, '--object', 'account');
    expect(rows(again)[0]).toMatchObject({ status: 'skipped', action: 'unchanged' });
  });

  it("a user in two accounts: a row naming one adds it to the user's links; --links replace makes the row the whole truth", async () => {
    await push('fixtures/accounts.csv', '--object', 'account');
    const acme = sb.store.get('accounts', 'acme')!.id;
    const globex = sb.store.get('accounts', 'globex')!.id;
    await push(writeTemp(dir, `u-acme-${n}.csv`, 'externalId,name,accountExternalId\nu-1,Ada,acme\n'), '--object', 'user');
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([acme]);

    // A file from elsewhere names only globex: the user keeps acme.
    const other = writeTemp(dir, `u-globex-${n}.csv`, 'externalId,name,accountExternalId,role\nu-1,Ada,globex,admin\n');
    sb.requests.length = 0;
    expect((await push(other, '--object', 'user')).code).toBe(0);
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([acme, globex]);
    expect(said()).toEqual(['GET /resources/accounts/globex 200', 'GET /resources/users/u-1 200', 'PUT /resources/users/u-1 200']);
    expect(JSON.parse(rowRequests(sb).at(-1)!.body).accountIds).toEqual([acme, globex]);

    // The store knows globex was sent: a changed row that names no new link costs no read, and leaves the links alone.
    writeTemp(dir, `u-globex-${n}.csv`, 'externalId,name,accountExternalId,role\nu-1,Ada,globex,owner\n');
    sb.requests.length = 0;
    await push(other, '--object', 'user');
    expect(said()).toEqual(['PUT /resources/users/u-1 200']);
    expect(JSON.parse(rowRequests(sb)[0]!.body)).toEqual({ name: 'Ada', traits: { role: 'owner' } });
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([acme, globex]);

    writeTemp(dir, `u-globex-${n}.csv`, 'externalId,name,accountExternalId,role\nu-1,Ada,globex,viewer\n');
    await push(other, '--object', 'user', '--links', 'replace');
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([globex]);
  });

  it('--links replace on a file an earlier run added unchanged: the row is sent again and becomes the whole truth', async () => {
    await push('fixtures/accounts.csv', '--object', 'account');
    const acme = sb.store.get('accounts', 'acme')!.id;
    const globex = sb.store.get('accounts', 'globex')!.id;
    await push(writeTemp(dir, `u-acme-${n}.csv`, 'externalId,name,accountExternalId\nu-1,Ada,acme\n'), '--object', 'user');
    const other = writeTemp(dir, `u-globex-${n}.csv`, 'externalId,name,accountExternalId\nu-1,Ada,globex\n');
    await push(other, '--object', 'user');
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([acme, globex]);

    // The same file, asked to replace: what it asks of Vitally changed, so the store's "unchanged" does not hold.
    const r = await push(other, '--object', 'user', '--links', 'replace');
    expect(rows(r)[0]).toMatchObject({ status: 'ok', action: 'updated' });
    expect(sb.store.get('users', 'u-1')!.accountIds).toEqual([globex]);
    // Replacing again with the same file: nothing to do.
    expect(rows(await push(other, '--object', 'user', '--links', 'replace'))[0]).toMatchObject({ status: 'skipped', action: 'unchanged' });
  });

  it('--links is refused where it has no effect', async () => {
    const r = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--links', 'replace'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--links is for users sent through the REST API');
  });

  it('--match email: an email two users share fails the row, naming both; nothing is updated', async () => {
    await push('fixtures/accounts.csv', '--object', 'account');
    await push(
      writeTemp(dir, `twins-${n}.csv`, 'externalId,name,email,accountExternalId\nu-a,Ann,ann@acme.example,acme\nu-b,Ann B,Ann@Acme.example,acme\n'),
      '--object',
      'user',
      // One at a time: u-a is created first, and a search lists it first.
      '--concurrency',
      '1',
    );
    const ids = ['u-a', 'u-b'].map((k) => sb.store.get('users', k)!.id);
    sb.requests.length = 0;
    const r = await push(writeTemp(dir, `by-email-${n}.csv`, 'email,name\nann@acme.example,Ann Again\n'), '--object', 'user', '--match', 'email');
    expect(r.code).toBe(1);
    expect(rows(r)[0]).toMatchObject({
      status: 'failed',
      action: 'invalid',
      error: `email ann@acme.example matches 2 users in Vitally: "u-a" (id ${ids[0]}) and "u-b" (id ${ids[1]}); not updated (match by externalId instead, or remove the duplicate in Vitally)`,
    });
    expect(rowRequests(sb).filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('--full sends a note again with the date it was first sent, not the time it is read again', async () => {
    await push('fixtures/accounts.csv', '--object', 'account');
    const file = writeTemp(dir, `note-${n}.csv`, 'externalId,accountExternalId,body\nn-1,acme,Undated\n');
    await push(file, '--object', 'note');
    const first = sb.store.get('notes', 'n-1')!.noteDate;
    await new Promise((r) => setTimeout(r, 5));
    const dry = await push(file, '--object', 'note', '--full', '--dry-run');
    expect(rows(dry)[0]!.requests[0].body.noteDate).toBe(first);
    sb.requests.length = 0;
    expect((await push(file, '--object', 'note', '--full')).code).toBe(0);
    expect(JSON.parse(rowRequests(sb).find((q) => q.method === 'POST')!.body).noteDate).toBe(first);
    expect(sb.store.get('notes', 'n-1')!.noteDate).toBe(first);
  });
});
