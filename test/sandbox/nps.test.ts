import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const AT = '2026-01-15T10:00:00.000Z';

describe.each(['docs', 'live'] as const)('sandbox NPS responses (%s profile)', (profile) => {
  let sb: Sandbox;
  let u: { id: string };
  beforeAll(async () => {
    sb = await createSandbox({ profile });
  });
  beforeEach(async () => {
    sb.reset();
    const a = await account(sb, 'acc');
    await account(sb, 'other');
    u = await user(sb, 'usr', { accountIds: [a.id] });
  });
  afterAll(() => sb.close());

  it('creates a response for a Vitally user id; a POST repeating its externalId updates it', async () => {
    const created = await rest(sb, 'POST', '/resources/npsResponses', { externalId: 'nps-1', userId: u.id, score: 9, respondedAt: AT, feedback: 'Great' });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ externalId: 'nps-1', userId: u.id, score: 9, feedback: 'Great', respondedAt: AT });
    const again = await rest(sb, 'POST', '/resources/npsResponses', { externalId: 'nps-1', userId: u.id, score: 6, respondedAt: AT });
    expect(again.json).toMatchObject({ id: created.json.id, score: 6, feedback: 'Great' });
    expect(sb.store.all('npsResponses')).toHaveLength(1);
    const byId = await rest(sb, 'GET', `/resources/npsResponses/${created.json.id}`);
    expect(byId.json.score).toBe(6);
    expect((await rest(sb, 'GET', '/resources/npsResponses/nps-1')).json.id).toBe(created.json.id);
    // Without an externalId every POST is a new response.
    await rest(sb, 'POST', '/resources/npsResponses', { userId: u.id, score: 10, respondedAt: AT });
    const list = await rest(sb, 'GET', '/resources/npsResponses?limit=1');
    expect(list.json.results).toHaveLength(1);
    expect(list.json.next).toEqual(expect.any(String));
    expect((await rest(sb, 'GET', '/resources/accounts/acc/npsResponses')).json.results).toHaveLength(2);
    expect((await rest(sb, 'GET', '/resources/accounts/other/npsResponses')).json.results).toHaveLength(0);
  });

  it('refuses a score outside 0-10 or not an integer, a missing respondedAt, and a userId that is not a Vitally id', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ userId: u.id, score: 11, respondedAt: AT }, 'score must be an integer from 0 to 10'],
      [{ userId: u.id, score: -1, respondedAt: AT }, 'score must be an integer from 0 to 10'],
      [{ userId: u.id, score: 7.5, respondedAt: AT }, 'score must be an integer'],
      [{ userId: u.id, score: '7', respondedAt: AT }, 'score must be an integer'],
      [{ userId: u.id, score: 7 }, 'respondedAt is required'],
      [{ userId: u.id, score: 7, respondedAt: 'last week' }, 'respondedAt must be an ISO 8601 date-time'],
      [{ score: 7, respondedAt: AT }, 'userId is required'],
      [{ userId: 'usr', score: 7, respondedAt: AT }, 'Unknown user id: usr'],
      [{ userId: u.id, score: 7, respondedAt: AT, rating: 1 }, 'Unknown field: rating'],
    ];
    for (const [body, error] of cases) {
      const res = await rest(sb, 'POST', '/resources/npsResponses', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toBe(error);
    }
    expect(sb.store.all('npsResponses')).toHaveLength(0);
  });

  it('PUT updates by id or externalId (not the externalId itself); DELETE removes; unknown ids are 404', async () => {
    const created = await rest(sb, 'POST', '/resources/npsResponses', { externalId: 'n2', userId: u.id, score: 3, respondedAt: AT });
    expect((await rest(sb, 'PUT', '/resources/npsResponses/n2', { feedback: 'Meh' })).json).toMatchObject({ score: 3, feedback: 'Meh' });
    expect((await rest(sb, 'PUT', `/resources/npsResponses/${created.json.id}`, { externalId: 'n3' })).status).toBe(400);
    expect((await rest(sb, 'DELETE', '/resources/npsResponses/n2')).status).toBe(200);
    expect((await rest(sb, 'GET', '/resources/npsResponses/n2')).status).toBe(404);
    expect((await rest(sb, 'PUT', '/resources/npsResponses/none', { score: 1 })).status).toBe(404);
  });
});
