import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Profile, Sandbox } from '../../src/sandbox/index.js';
import { pushFixtures, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

describe.each<Profile>(['docs', 'live'])('NPS responses (sandbox profile %s)', (profile) => {
  let sb: Sandbox;
  let dir: string;
  let env: Record<string, string>;
  useSandbox((c) => ({ sb, dir, env } = c), { profile });
  beforeEach(async () => {
    await pushFixtures(env, ['account', 'user']);
    sb.requests.length = 0;
  });

  const userId = (ext: string) => sb.store.get('users', ext)!.id as string;
  const posts = () => sb.requests.filter((r) => r.method === 'POST');

  it('creates one response a row: the user resolved, the score a number, the date ISO 8601, the feedback as written', async () => {
    const r = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--json'], { env });
    expect(r.code).toBe(0);
    expect(rows(r).map((x) => [x.status, x.action])).toEqual([
      ['ok', 'created'],
      ['ok', 'created'],
      ['ok', 'created'],
    ]);
    // Requests travel concurrently: in the order of the rows' dates.
    const bodies = posts().map((p) => JSON.parse(p.body) as { respondedAt: string });
    expect(bodies.sort((a, b) => a.respondedAt.localeCompare(b.respondedAt))).toEqual([
      {
        externalId: rows(r)[0]!.key,
        userId: userId('u-1'),
        score: 9,
        respondedAt: '2026-11-06T10:00:00.000Z',
        feedback: 'The new dashboards save me an hour a week.',
      },
      { externalId: rows(r)[1]!.key, userId: userId('u-2'), score: 4, respondedAt: '2026-11-06T12:30:00.000Z', feedback: 'Exports take too many clicks.' },
      // An empty feedback cell is left out; a date alone is midnight UTC.
      { externalId: rows(r)[2]!.key, userId: userId('u-3'), score: 10, respondedAt: '2026-11-07T00:00:00.000Z' },
    ]);
    expect(posts().every((p) => p.path === '/resources/npsResponses')).toBe(true);
    expect(
      sb.store
        .all('npsResponses')
        .map((n) => n.score as number)
        .sort((a, b) => a - b),
    ).toEqual([4, 9, 10]);
  });

  it('a re-run creates nothing twice: skipped with the state store, and the same externalIds without it', async () => {
    const state = join(dir, `nps-${profile}.db`);
    const first = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--json', '--state', state], { env });
    const keys = rows(first).map((x) => x.key);
    expect(keys.every((k) => /^vs-[0-9a-f]{32}$/.test(k))).toBe(true);
    sb.requests.length = 0;

    const again = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--json', '--state', state], { env });
    expect(rows(again).map((x) => [x.status, x.action])).toEqual([
      ['skipped', 'unchanged'],
      ['skipped', 'unchanged'],
      ['skipped', 'unchanged'],
    ]);
    expect(sb.requests).toHaveLength(0);

    // Without the store every row is sent again, with the same externalId: Vitally updates, nothing new.
    const noState = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--json'], { env });
    expect(rows(noState).map((x) => [x.key, x.id])).toEqual(rows(first).map((x) => [x.key, x.id]));
    expect(
      posts()
        .map((p) => JSON.parse(p.body).externalId)
        .sort(),
    ).toEqual([...keys].sort());
    expect(sb.store.all('npsResponses')).toHaveLength(3);
  });

  it('a score that is not a whole number from 0 to 10 fails its row, the others go; the rejects file holds them', async () => {
    const file = writeTemp(
      dir,
      'scores.csv',
      'externalId,userExternalId,score,respondedAt\nn-ok,u-1,0,2026-11-01\nn-11,u-1,11,2026-11-01\nn-half,u-2,7.5,2026-11-01\nn-neg,u-2,-1,2026-11-01\nn-text,u-3,great,2026-11-01\nn-none,u-3,,2026-11-01\nn-late,u-3,8,\n',
    );
    const rejects = join(dir, `rejects-${profile}.ndjson`);
    const r = await runCli(['push', file, '--object', 'nps', '--json', '--rejects', rejects], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.key, x.status, x.error])).toEqual([
      ['n-ok', 'ok', null],
      ['n-11', 'failed', 'score: must be a whole number from 0 to 10, not 11'],
      ['n-half', 'failed', 'score: must be a whole number from 0 to 10, not 7.5'],
      ['n-neg', 'failed', 'score: must be a whole number from 0 to 10, not -1'],
      // A cell that does not convert fails before the row has its key.
      [null, 'failed', 'column "score" -> score (number): "great" is not a number'],
      ['n-none', 'failed', 'score: required to create an NPS response'],
      ['n-late', 'failed', 'respondedAt: required to create an NPS response'],
    ]);
    // Only the good row was sent (after its one user look-up).
    expect(posts().map((p) => JSON.parse(p.body).externalId)).toEqual(['n-ok']);
    expect(sb.store.all('npsResponses').map((n) => n.score)).toEqual([0]);
    const rejected = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rejected.map((x) => x.record.externalId)).toEqual(['n-11', 'n-half', 'n-neg', 'n-text', 'n-none', 'n-late']);
  });

  it('an unknown user fails its row by name; columns that fill no field are left out and the summary says so', async () => {
    const file = writeTemp(dir, 'extra.csv', 'userExternalId,score,respondedAt,survey\nu-1,8,2026-11-02T08:00:00Z,q4\nnobody,6,2026-11-02T08:00:00Z,q4\n');
    const r = await runCli(['push', file, '--object', 'nps', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r)[1]).toMatchObject({ status: 'failed', action: 'invalid', error: 'userExternalId "nobody": no user with this externalId in Vitally' });
    expect(JSON.parse(posts()[0]!.body)).not.toHaveProperty('survey');
    expect(summaryOf(r).warnings).toContain('"survey": not a field of NPS responses, which have no traits, so left out (--ignore it to say so)');
  });

  it('refuses update mode and the Analytics API before anything is sent (exit 2)', async () => {
    const update = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--mode', 'update'], { env });
    expect(update.code).toBe(2);
    expect(update.stderr).toContain('--mode update is not possible for NPS responses');
    const via = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--via', 'analytics'], { env });
    expect(via.code).toBe(2);
    expect(via.stderr).toContain('not NPS responses');
    expect(sb.requests).toHaveLength(0);
  });

  it('a dry run shows the body with a placeholder for the user, and sends nothing', async () => {
    const r = await runCli(['push', 'fixtures/nps.csv', '--object', 'nps', '--dry-run', '--json'], { env: {} });
    expect(r.code).toBe(0);
    expect(rows(r)[0]!.requests).toEqual([
      {
        method: 'POST',
        path: '/resources/npsResponses',
        body: {
          externalId: rows(r)[0]!.key,
          userId: '{{user:u-1}}',
          score: 9,
          respondedAt: '2026-11-06T10:00:00.000Z',
          feedback: 'The new dashboards save me an hour a week.',
        },
      },
    ]);
    expect(sb.requests).toHaveLength(0);
  });
});
