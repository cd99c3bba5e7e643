import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { FAST_RATE, PROFILES, rowRequests, rows, runCli, sandboxEnv, tempDir, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;

const gets = () =>
  rowRequests(sb)
    .filter((r) => r.method === 'GET')
    .map((r) => r.path);
const idOf = (type: 'accounts' | 'users', ext: string) => sb.store.get(type, ext)!.id as string;

describe.each(PROFILES)('pushing append-only records (%s profile)', (profile) => {
  beforeAll(async () => {
    sb = await createSandbox({ profile, admins: [{ email: 'cs@vendor.example', name: 'Casey' }], rateLimit: FAST_RATE });
    dir = tempDir();
    env = sandboxEnv(sb);
  });
  afterAll(() => sb.close());
  beforeEach(async () => {
    sb.reset();
    await runCli(['push', 'fixtures/accounts.csv', '--object', 'account'], { env });
    await runCli(['push', 'fixtures/users.csv', '--object', 'user'], { env });
    sb.requests.length = 0;
  });

  describe('notes, tasks and conversations', () => {
    it('creates notes from CSV on the right accounts, with one look-up per distinct account', async () => {
      const r = await runCli(['push', 'fixtures/notes.csv', '--object', 'note', '--json'], { env });
      expect(r.code).toBe(0);
      expect(rows(r).map((x) => [x.status, x.action])).toEqual([
        ['ok', 'created'],
        ['ok', 'created'],
        ['ok', 'created'],
      ]);
      expect(gets()).toEqual(['/resources/accounts/acme', '/resources/accounts/globex']);
      const notes = sb.store.all('notes');
      expect(notes).toHaveLength(3);
      const kickoff = notes.find((n) => n.subject === 'Kick-off call')!;
      expect(kickoff).toMatchObject({
        accountId: idOf('accounts', 'acme'),
        note: '<p>Agreed on the rollout plan, owners named.</p>',
        noteDate: '2026-11-02T15:00:00.000Z',
        tags: ['onboarding', 'call'],
        traits: { sentiment: 'positive' },
      });
      expect(notes.find((n) => n.subject === 'Renewal risk')!.accountId).toBe(idOf('accounts', 'globex'));
      // A row without a date is dated when it is read.
      const followUp = notes.find((n) => n.subject === 'Follow-up')!;
      expect(Date.now() - Date.parse(followUp.noteDate as string)).toBeLessThan(60 * 60 * 1000);
    });

    it('gives rows without an externalId a stable one, so a re-run creates nothing new', async () => {
      await runCli(['push', 'fixtures/notes.csv', '--object', 'note'], { env });
      const ids = sb.store
        .all('notes')
        .map((n) => n.externalId)
        .sort();
      expect(ids.every((id) => /^vs-[0-9a-f]{32}$/.test(id as string))).toBe(true);
      await runCli(['push', 'fixtures/notes.csv', '--object', 'note'], { env });
      expect(
        sb.store
          .all('notes')
          .map((n) => n.externalId)
          .sort(),
      ).toEqual(ids);
    });

    it('creates tasks from NDJSON: subject is the name, body the description', async () => {
      const r = await runCli(['push', 'fixtures/tasks.ndjson', '--object', 'task', '--json'], { env });
      expect(r.code).toBe(0);
      expect(sb.store.get('tasks', 'task-1')).toMatchObject({
        name: 'Schedule QBR',
        description: 'Book a slot with the exec sponsor',
        dueDate: '2026-12-01',
        accountId: idOf('accounts', 'acme'),
        traits: { priority: 'high' },
      });
      expect(sb.store.get('tasks', 'task-2')).toMatchObject({ tags: ['renewal'], accountId: idOf('accounts', 'globex') });
    });

    it('creates conversations linked to the account of the user who wrote', async () => {
      const file = writeTemp(
        dir,
        'conv.csv',
        'externalId,subject,body,userExternalId,adminEmail,timestamp,channel\nconv-1,Login trouble,"I can\'t sign in since this morning.",u-1,cs@vendor.example,2026-11-03T09:30:00Z,email\n',
      );
      const r = await runCli(['push', file, '--object', 'conversation', '--json'], { env });
      expect(r.code).toBe(0);
      const conv = sb.store.get('conversations', 'conv-1')!;
      expect(conv.accountIds).toEqual([idOf('accounts', 'acme')]);
      expect(conv.subject).toBe('Login trouble');
      expect(conv.traits).toEqual({ channel: 'email' });
      const messages = conv.messages as Array<Record<string, unknown>>;
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({
        externalId: 'conv-1-1',
        message: "I can't sign in since this morning.",
        from: { type: 'user', id: idOf('users', 'u-1') },
        to: [{ type: 'admin', id: sb.store.admins[0]!.id }],
      });
    });

    it('an inbound message naming no team member is sent without "to", never with an empty list', async () => {
      const r = await runCli(['push', 'fixtures/conversations.csv', '--object', 'conversation', '--json'], { env });
      const posts = rowRequests(sb).filter((q) => q.method === 'POST');
      expect(posts).toHaveLength(2);
      for (const p of posts) expect(JSON.parse(p.body).messages[0]).not.toHaveProperty('to');
      if (profile === 'live') {
        // Production clients show no sign that Vitally insists on a recipient.
        expect(r.code).toBe(0);
        expect(sb.store.get('conversations', 'conv-1')!.accountIds).toEqual([idOf('accounts', 'acme')]);
      } else {
        // The docs list `to` as required: a Vitally that holds to them refuses the row, and says why.
        expect(r.code).toBe(1);
        expect(rows(r)[0]).toMatchObject({ status: 'failed', httpStatus: 400, error: expect.stringContaining('to') });
      }
    });

    it('resolves a team member by email for outbound messages and note authors', async () => {
      const admin = sb.store.admins[0]!.id;
      const conv = writeTemp(
        dir,
        'out.csv',
        'externalId,body,userExternalId,adminEmail,direction\nc-out,Here is your invoice,u-2,cs@vendor.example,outbound\n',
      );
      expect((await runCli(['push', conv, '--object', 'conversation'], { env })).code).toBe(0);
      expect((sb.store.get('conversations', 'c-out')!.messages as any[])[0]).toMatchObject({
        from: { type: 'admin', id: admin },
        to: [{ type: 'user', id: idOf('users', 'u-2') }],
      });
      const note = writeTemp(
        dir,
        'authored.csv',
        'externalId,accountExternalId,body,authorEmail\nn-a,acme,Hello,cs@vendor.example\nn-b,acme,Hi,nobody@vendor.example\n',
      );
      const r = await runCli(['push', note, '--object', 'note', '--json'], { env });
      expect(sb.store.get('notes', 'n-a')!.authorId).toBe(admin);
      expect(rows(r)[1]).toMatchObject({ status: 'failed', error: 'authorEmail "nobody@vendor.example": no team member (admin) with this email in Vitally' });
    });

    it('an unknown external id fails only its row, naming the id and the object', async () => {
      const file = writeTemp(dir, 'unknown.csv', 'accountExternalId,body\nacme,ok one\nnope,lost\nacme,ok two\n');
      const r = await runCli(['push', file, '--object', 'note', '--json'], { env });
      expect(r.code).toBe(1);
      expect(rows(r).map((x) => x.status)).toEqual(['ok', 'failed', 'ok']);
      expect(rows(r)[1]!.error).toBe('accountExternalId "nope": no account with this externalId in Vitally');
      expect(sb.store.all('notes')).toHaveLength(2);
      expect(gets()).toEqual(['/resources/accounts/acme', '/resources/accounts/nope']);
    });

    it('a row without an account or organization fails and is never sent', async () => {
      const file = writeTemp(dir, 'orphan.csv', 'subject,body\nLonely,No account here\n');
      const r = await runCli(['push', file, '--object', 'note', '--json'], { env });
      expect(rows(r)[0]).toMatchObject({ status: 'failed', error: 'accountId or organizationId: at least one is required' });
      expect(rowRequests(sb)).toHaveLength(0);
    });

    it('refuses update for append-only objects with exit 2; upsert means create', async () => {
      for (const object of ['note', 'task', 'conversation']) {
        const r = await runCli(['push', 'fixtures/notes.csv', '--object', object, '--mode', 'update'], { env });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--mode update is not possible for ${object}s`);
      }
      expect(sb.requests).toHaveLength(0);
      const r = await runCli(['push', 'fixtures/notes.csv', '--object', 'note', '--mode', 'upsert', '--json'], { env });
      expect(rows(r).map((x) => x.action)).toEqual(['created', 'created', 'created']);
    });

    it('resolves accountExternalId on users (several, split by ;) and organizationExternalId on accounts', async () => {
      expect(sb.store.get('users', 'u-3')!.accountIds).toEqual([idOf('accounts', 'acme'), idOf('accounts', 'globex')]);
      await runCli(['push', 'fixtures/organizations.csv', '--object', 'organization'], { env });
      const file = writeTemp(dir, 'acc-org.csv', 'externalId,organizationExternalId\nacme,org-north\nglobex,org-north\n');
      expect((await runCli(['push', file, '--object', 'account'], { env })).code).toBe(0);
      const org = sb.store.get('organizations', 'org-north')!.id;
      expect(sb.store.get('accounts', 'acme')!.organizationId).toBe(org);
      expect(gets().filter((p) => p.includes('organizations/'))).toEqual(['/resources/organizations/org-north']);
    });

    it('dry-run shows placeholders for ids it would look up', async () => {
      const r = await runCli(['push', 'fixtures/tasks.ndjson', '--object', 'task', '--dry-run', '--json'], { env: {} });
      expect(rows(r)[0]!.requests[0].body).toMatchObject({ accountId: '{{account:acme}}', name: 'Schedule QBR' });
    });
  });

  describe('users matched by email', () => {
    it('finds the user by email and updates it by its id, and creates it when none exists', async () => {
      const u1 = idOf('users', 'u-1');
      const file = writeTemp(
        dir,
        'by-email.csv',
        'externalId,email,name,accountExternalId\nu-1-new,ADA@acme.example,Ada King,acme\nu-9,new@acme.example,New Person,acme\n',
      );
      const r = await runCli(['push', file, '--object', 'user', '--match', 'email', '--json'], { env });
      expect(r.code).toBe(0);
      expect(rows(r).map((x) => [x.action, x.id === u1])).toEqual([
        ['updated', true],
        ['created', false],
      ]);
      expect(sb.store.get('users', u1)).toMatchObject({ name: 'Ada King', externalId: 'u-1' });
      expect(sb.store.get('users', 'u-9')).toMatchObject({ email: 'new@acme.example' });
      expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual(
        expect.arrayContaining(['GET /resources/users/search?email=ADA%40acme.example', `PUT /resources/users/${u1}`]),
      );
    });

    it('in update mode a user whose email is unknown is not found and not created', async () => {
      const file = writeTemp(dir, 'by-email-upd.csv', 'email,name\nghost@acme.example,Ghost\n');
      const r = await runCli(['push', file, '--object', 'user', '--match', 'email', '--mode', 'update', '--json'], { env });
      expect(rows(r)[0]).toMatchObject({
        status: 'failed',
        action: 'not_found',
        error: 'no user with email ghost@acme.example in Vitally (update mode never creates)',
      });
      expect(sb.requests.filter((q) => q.method !== 'GET')).toHaveLength(0);
    });
  });
});
