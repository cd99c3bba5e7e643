import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { account, rest, user } from './helpers.js';

const TRAITS = { mrr: 1200, nextRenewalDate: '2027-01-31', churnedAt: null, trialEndDate: '2026-02-01T00:00:00Z', plan: 'pro' };

describe('sandbox record shapes', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it('live: accounts answer mrr, nextRenewalDate, churnedAt, trialEndDate at the top level, out of traits', async () => {
    sb = await createSandbox({ profile: 'live' });
    const created = await rest(sb, 'POST', '/resources/accounts', { externalId: 'a1', name: 'A1', traits: TRAITS });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      externalId: 'a1',
      name: 'A1',
      mrr: 1200,
      nextRenewalDate: '2027-01-31',
      churnedAt: null,
      trialEndDate: '2026-02-01T00:00:00Z',
      traits: { plan: 'pro' },
    });
    expect(Object.keys(created.json.traits)).toEqual(['plan']);
    for (const path of ['/resources/accounts/a1', `/resources/accounts/${created.json.id}`]) {
      const got = await rest(sb, 'GET', path);
      expect(got.json).toMatchObject({ mrr: 1200, traits: { plan: 'pro' } });
      expect(got.json.traits).not.toHaveProperty('mrr');
    }
    const listed = await rest(sb, 'GET', '/resources/accounts');
    expect(listed.json.results[0]).toMatchObject({ mrr: 1200, traits: { plan: 'pro' } });
    // Still set through traits: a PUT of traits.mrr moves the top-level value, and the store keeps traits.
    const put = await rest(sb, 'PUT', '/resources/accounts/a1', { traits: { mrr: 1500, churnedAt: '2026-03-01T00:00:00Z' } });
    expect(put.json).toMatchObject({ mrr: 1500, churnedAt: '2026-03-01T00:00:00Z' });
    expect(sb.store.get('accounts', 'a1')?.traits).toMatchObject({ mrr: 1500, plan: 'pro' });
    expect((await rest(sb, 'PUT', '/resources/accounts/a1', { mrr: 1 })).json.error).toBe('mrr is read-only');
  });

  it('live: organizations answer the same four values at the top level', async () => {
    sb = await createSandbox({ profile: 'live' });
    const org = await rest(sb, 'POST', '/resources/organizations', { externalId: 'o1', name: 'O1', traits: { mrr: 9, tier: 'gold' } });
    expect(org.json).toMatchObject({ mrr: 9, nextRenewalDate: null, churnedAt: null, trialEndDate: null, traits: { tier: 'gold' } });
    expect(org.json.traits).not.toHaveProperty('mrr');
  });

  it('live: users answer accounts and organizations as embedded records, and no accountIds', async () => {
    sb = await createSandbox({ profile: 'live' });
    const a = await account(sb, 'ua', { traits: { mrr: 5, seats: 3 } });
    const o = await rest(sb, 'POST', '/resources/organizations', { externalId: 'uo', name: 'UO' });
    const u = await user(sb, 'u1', { name: 'Ann', accountIds: [a.id], organizationIds: [o.json.id] });
    expect(u).not.toHaveProperty('accountIds');
    expect(u).not.toHaveProperty('organizationIds');
    expect(u.accounts).toEqual([{ id: a.id, externalId: 'ua', name: 'Account ua', traits: { seats: 3 } }]);
    expect(u.organizations).toEqual([{ id: o.json.id, externalId: 'uo', name: 'UO', traits: {} }]);
    for (const res of [
      await rest(sb, 'GET', '/resources/users/u1'),
      { json: (await rest(sb, 'GET', '/resources/users')).json.results[0] },
      { json: (await rest(sb, 'GET', '/resources/users/search?externalId=u1')).json.results[0] },
      { json: (await rest(sb, 'GET', '/resources/accounts/ua/users')).json.results[0] },
    ]) {
      expect(res.json.accounts.map((x: { id: string }) => x.id)).toEqual([a.id]);
      expect(res.json).not.toHaveProperty('accountIds');
    }
    // Links are still written as accountIds.
    expect(sb.store.get('users', 'u1')?.accountIds).toEqual([a.id]);
  });

  it('live: date-like trait strings come back as epoch milliseconds (a date as midnight UTC)', async () => {
    sb = await createSandbox({ profile: 'live' });
    await rest(sb, 'POST', '/resources/accounts', {
      externalId: 'd1',
      name: 'D',
      traits: {
        signedAt: '2026-01-02T03:04:05.678Z',
        local: '2026-01-02T03:04:05',
        offset: '2026-01-02T05:04:05+02:00',
        day: '2026-01-02',
        text: '2026-01-02 is a Friday',
        zip: '02134',
        n: 7,
      },
    });
    const got = await rest(sb, 'GET', '/resources/accounts/d1');
    expect(got.json.traits).toEqual({
      signedAt: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      local: Date.UTC(2026, 0, 2, 3, 4, 5),
      offset: Date.UTC(2026, 0, 2, 3, 4, 5),
      day: Date.UTC(2026, 0, 2),
      text: '2026-01-02 is a Friday',
      zip: '02134',
      n: 7,
    });
    // The store keeps what was sent.
    expect(sb.store.get('accounts', 'd1')?.traits).toMatchObject({ signedAt: '2026-01-02T03:04:05.678Z' });
  });

  it('docs: records are answered as sent; recordShape and traitDates also work apart', async () => {
    sb = await createSandbox();
    const a = await account(sb, 'x', { traits: { mrr: 1, at: '2026-01-02' } });
    expect(a.traits).toEqual({ mrr: 1, at: '2026-01-02' });
    expect(a).not.toHaveProperty('mrr');
    const u = await user(sb, 'ux', { accountIds: [a.id] });
    expect(u.accountIds).toEqual([a.id]);
    expect(u).not.toHaveProperty('accounts');
    sb.options.traitDates = 'epoch';
    expect((await rest(sb, 'GET', '/resources/accounts/x')).json).toMatchObject({ traits: { mrr: 1, at: Date.UTC(2026, 0, 2) } });
    sb.options.traitDates = 'as-sent';
    sb.options.recordShape = 'live';
    expect((await rest(sb, 'GET', '/resources/accounts/x')).json).toMatchObject({ mrr: 1, traits: { at: '2026-01-02' } });
  });
});
