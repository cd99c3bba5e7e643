import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { differences, readRecord, readRecords, recordName, sameValue } from '../../src/sync/records.js';
import { account, rest, user } from '../sandbox/helpers.js';

const TRAITS = { mrr: 1200, nextRenewalDate: '2027-01-31', plan: 'pro', signedAt: '2026-03-01T10:00:00Z' };

describe('records as either Vitally answers them', () => {
  let sb: Sandbox;
  afterEach(() => sb.close());

  it.each(['docs', 'live'] as const)('%s: one normal form for an account and a user in two accounts', async (profile) => {
    sb = await createSandbox({ profile });
    const acme = await account(sb, 'acme', { traits: TRAITS });
    const globex = await account(sb, 'globex');
    await user(sb, 'u-1', { name: 'Ada', accountIds: [acme.id, globex.id] });

    const a = readRecord((await rest(sb, 'GET', '/resources/accounts/acme')).json)!;
    expect(a).toMatchObject({ id: acme.id, externalId: 'acme', fields: { name: 'Account acme' }, accounts: [], organizations: [] });
    // The four values Vitally may answer at the top level are traits again; unset ones (null) are no trait.
    expect(Object.keys(a.traits).sort()).toEqual(['mrr', 'nextRenewalDate', 'plan', 'signedAt']);
    expect(a.fields).not.toHaveProperty('mrr');
    expect(a.fields).not.toHaveProperty('churnedAt');
    // Whatever form a date comes back in (the live shape answers epoch milliseconds), it is the date sent.
    expect(differences({ fields: { name: 'Account acme' }, traits: TRAITS }, a)).toEqual([]);

    const u = readRecord((await rest(sb, 'GET', '/resources/users/u-1')).json)!;
    expect(u.accounts.map((l) => l.id)).toEqual([acme.id, globex.id]);
    // The live shape embeds the accounts, so their externalIds come along; the docs' shape has ids only.
    expect(u.accounts.map((l) => l.externalId)).toEqual(profile === 'live' ? ['acme', 'globex'] : [null, null]);
    expect(u.fields).not.toHaveProperty('accountIds');
    expect(u.fields).not.toHaveProperty('accounts');
    expect(differences({ accountIds: [globex.id] }, u)).toEqual([]);
    // A link the user lacks: the links it would have once the row is written, and those it has, by externalId where answered.
    const had = profile === 'live' ? ['acme', 'globex'] : [acme.id, globex.id];
    expect(differences({ accountIds: ['nope'] }, u)).toEqual([{ field: 'accounts', sent: [...had, 'nope'], found: had }]);

    const listed = readRecords((await rest(sb, 'GET', '/resources/accounts?limit=10')).json);
    expect(listed.map((r) => r.externalId).sort()).toEqual(['acme', 'globex']);
    const searched = readRecords((await rest(sb, 'GET', '/resources/users/search?externalId=u-1')).json);
    expect(searched.map((r) => r.id)).toEqual([u.id]);
  });

  it('reads an account organization link, and what is not a record', () => {
    expect(readRecord({ id: 'a', externalId: 'x', organizationId: 'o-1' })!.organizations).toEqual([{ id: 'o-1', externalId: null }]);
    expect(readRecord({ id: 'a', organization: { id: 'o-1', externalId: 'north' } })!.organizations).toEqual([{ id: 'o-1', externalId: 'north' }]);
    // Both shapes in one answer: one link per id, the externalId kept.
    expect(readRecord({ accountIds: ['a-1'], accounts: [{ id: 'a-1', externalId: 'acme' }] })!.accounts).toEqual([{ id: 'a-1', externalId: 'acme' }]);
    expect(readRecord(null)).toBeNull();
    expect(readRecord([{ id: 'a' }])).toBeNull();
    expect(readRecords({ results: [] })).toEqual([]);
    expect(readRecords('text')).toEqual([]);
    expect(recordName(readRecord({ id: 'i-1', externalId: 'u-1' })!)).toBe('"u-1" (id i-1)');
  });
});

describe('sameValue', () => {
  it.each([
    ['two spellings of one instant', '2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00.000Z', true],
    ['another instant', '2026-03-01', Date.UTC(2026, 2, 2), false],
    ['a number and the text of its digits', 1200, '1200', false],
    ['null and absent', null, undefined, true],
    ['lists of the same values in the same order', ['EMEA', 'APAC'], ['EMEA', 'APAC'], true],
    ['lists of the same values in another order (Vitally keeps the order sent)', ['EMEA', 'APAC'], ['APAC', 'EMEA'], false],
    ['lists of other values', ['EMEA'], ['EMEA', 'APAC'], false],
    ['objects key by key', { a: 1, b: [2] }, { b: [2], a: 1 }, true],
    ['true and the text true', true, 'true', false],
    ['two texts that are not instants', 'Acme', 'acme', false],
    ['a date and the same date with a space after it', '2026-03-01', '2026-03-01 ', false],
  ])('%s', (_what, a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
  });

  // Vitally answers a date trait sent as text in epoch milliseconds; a number it answers is read as milliseconds.
  it.each([
    ['a date sent, the epoch milliseconds of its midnight answered', '2027-01-31', Date.UTC(2027, 0, 31), true],
    ['a date-time sent, its epoch milliseconds answered', '2026-03-01T11:00:00+01:00', Date.UTC(2026, 2, 1, 10), true],
    ['a date-time sent, its epoch seconds answered (milliseconds in 1970)', '2026-03-01T10:00:00Z', Date.UTC(2026, 2, 1, 10) / 1000, false],
    ['epoch milliseconds sent, the ISO text answered (Vitally holds text)', Date.UTC(2026, 2, 1, 10), '2026-03-01T10:00:00.000Z', false],
  ])('%s', (_what, sent, found, same) => {
    expect(sameValue(sent, found)).toBe(same);
  });
});
