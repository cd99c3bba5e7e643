/** The comparison's parts on their own: the run's choice, and the listing's bound (against a sandbox over HTTP). */
import { afterEach, describe, expect, it } from 'vitest';
import { createSender } from '../../src/api/sender.js';
import { resolveNet } from '../../src/config/net.js';
import { getObject } from '../../src/objects/index.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { Scratch } from '../../src/state/scratch.js';
import { chooseComparison, type AutoFacts } from '../../src/sync/compare/comparison.js';
import { listWorkspace, VitallyComparison } from '../../src/sync/compare/vitally.js';
import { KnownIds, Resolver } from '../../src/sync/resolve.js';
import { rest } from '../sandbox/helpers.js';

const BASE: AutoFacts = { listable: true, canRead: true, store: 'none', readAhead: 1000, inputEnded: false };

describe('the comparison a run chooses', () => {
  it.each<[string, Partial<AutoFacts>, string, string]>([
    ['no store, a large input', {}, 'vitally', 'without a state store and the input holds at least 1000 rows'],
    [
      'a store that knows none of these records',
      { store: 'empty' },
      'vitally',
      'the state store knows none of these records and the input holds at least 1000 rows',
    ],
    ['a store that knows them', { store: 'knows' }, 'state', 'the state store knows these records'],
    ['an input read whole under 1000 rows', { readAhead: 999, inputEnded: true }, 'none', 'without a state store; the input holds fewer than 1000 rows'],
    ['an input of exactly 1000 rows', { readAhead: 1000, inputEnded: true }, 'vitally', 'without a state store and the input holds 1000 rows'],
    [
      'a type Vitally does not list whole',
      { listable: false, store: 'empty' },
      'state',
      'the state store knows none of these records; this type is not compared with Vitally by itself',
    ],
    ['nothing to read with', { canRead: false }, 'none', "without a state store; no REST connection to list Vitally's records with"],
  ])('%s', (_what, facts, chosen, why) => {
    expect(chooseComparison({ ...BASE, ...facts })).toEqual({ with: chosen, why });
  });
});

describe('listing the workspace', () => {
  let sb: Sandbox;
  let scratch: Scratch;
  afterEach(async () => {
    scratch.close();
    await sb.close();
  });

  async function list(profile: 'docs' | 'live', budget?: number) {
    sb = await createSandbox({ profile, rateLimit: { limit: 100_000, windowMs: 60_000 } });
    for (let i = 1; i <= 250; i++) await rest(sb, 'POST', '/resources/accounts', { externalId: `a-${i}`, name: `A ${i}` });
    scratch = new Scratch();
    const lister = createSender({ net: resolveNet({ rate: '100000' }) }, { baseUrl: sb.url, token: sb.token, tokenSource: 'the sandbox token' });
    const ids = new KnownIds();
    sb.requests.length = 0;
    const listed = await listWorkspace({
      spec: getObject('account'),
      lister,
      scratch,
      links: 'add',
      ids,
      resolver: new Resolver(lister, ids),
      changes: false,
      budget,
    });
    await lister.http.close();
    lister.pacer.close();
    return listed;
  }

  it.each(['docs', 'live'] as const)('%s: gives up past its budget of records, having read no further', async (profile) => {
    const listed = await list(profile, 150);
    expect(listed).toEqual({ gaveUp: 200 });
    expect(sb.requests).toHaveLength(2);
  });

  it.each(['docs', 'live'] as const)('%s: without a budget, reads the whole list into the scratch space', async (profile) => {
    const listed = await list(profile);
    expect(listed).toBeInstanceOf(VitallyComparison);
    expect((listed as VitallyComparison).summary()).toEqual({ listed: 250, listRequests: profile === 'live' ? 4 : 3, notInInput: 250 });
    expect(scratch.listed('a-7')).toMatchObject({ twice: false });
    expect(scratch.listedCounts()).toEqual({ listed: 250, notInInput: 249 });
  });
});
