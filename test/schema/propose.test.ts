import { describe, expect, it } from 'vitest';
import { getObject } from '../../src/objects/index.js';
import type { TraitField } from '../../src/schema/catalogue.js';
import { inferType } from '../../src/mapping/infer.js';
import { propose } from '../../src/schema/propose.js';
import { standardTraits } from '../../src/schema/standard.js';

const CATALOGUE: TraitField[] = [
  { label: 'Seats', key: 'vitally.custom.seats', type: 'number' },
  { label: 'Plan', key: 'vitally.custom.plan', type: 'picklist', options: ['Starter', 'Growth'] },
  { label: 'Last login', key: 'vitally.custom.lastLoginAt', type: 'datetime' },
];
const known = [...CATALOGUE, ...standardTraits(getObject('account'))];
const UUID = '0b6c2d1e-1111-4222-8333-944455556666';

describe('inferType', () => {
  it('types a column only when every non-empty sampled value agrees', () => {
    expect(inferType(['1', '2.5', ''])).toMatchObject({ type: 'number', why: 'numbers in 2 of 3 sampled rows (the others empty)' });
    expect(inferType(['yes', 'No'])).toMatchObject({ type: 'boolean', why: 'true/false values in all 2 sampled rows' });
    expect(inferType(['2026-01-01', '2026-01-02T10:00:00Z']).type).toBe('datetime');
    expect(inferType(['2026-01-01']).type).toBe('date');
    expect(inferType(['02134', '10001']).type).toBeUndefined(); // zip codes stay text
    expect(inferType(['1', 'two'])).toMatchObject({ type: undefined, why: 'mixed values (numbers, text): kept as text' });
    expect(inferType([5, true]).type).toBeUndefined();
    expect(inferType(['{"a":1}']).type).toBe('json');
    expect(inferType(['', ' '])).toMatchObject({ type: undefined, filled: 0, why: 'empty in all 2 sampled rows' });
  });
});

describe('propose', () => {
  it('places standard fields by name and alias, traits by the catalogue, and types the rest from the sample', () => {
    const p = propose({
      spec: getObject('account'),
      columns: ['ID', 'Company Name', 'mrr', 'plan', 'Seats', 'last_login', 'traits.vitally.custom.seats', 'employees', 'segment'],
      rows: [
        {
          ID: 'a',
          'Company Name': 'A',
          mrr: '10',
          plan: 'Growth',
          Seats: '3',
          last_login: '2026-01-01T00:00:00Z',
          'traits.vitally.custom.seats': '3',
          employees: '12',
          segment: 'smb',
        },
        { ID: 'b', 'Company Name': 'B', mrr: '', plan: 'Gold', Seats: '4', last_login: '', 'traits.vitally.custom.seats': '', employees: '7', segment: 'ent' },
      ],
      known,
      haveCatalogue: true,
    });
    expect(p.map).toEqual({
      ID: 'externalId',
      'Company Name': 'name',
      mrr: 'traits.mrr:number',
      plan: 'traits.vitally.custom.plan',
      Seats: 'traits.vitally.custom.seats:number',
      last_login: 'traits.vitally.custom.lastLoginAt:datetime',
      'traits.vitally.custom.seats': 'traits.vitally.custom.seats:number',
      employees: 'traits.employees:number',
      segment: 'traits.segment',
    });
    const why = Object.fromEntries(p.decisions.map((d) => [d.column, d]));
    expect(why.ID!.reason).toBe('alias of externalId');
    expect(why['Company Name']!.reason).toBe('common name for name');
    expect(why.last_login!.reason).toBe('custom trait "Last login" by its label: datetime');
    expect(why.plan!.review).toBe('1 of 2 sampled values would fail their row as picklist: "Gold" ("Gold" is not one of its options (Starter, Growth))');
    expect(why.segment!.reason).toBe("not in Vitally's account catalogue: a new trait; text in all 2 sampled rows");
    expect(p.picklists).toEqual(['plan']);
    expect(p.missing).toEqual([]);
  });

  it('leaves out, for review, what it cannot place with confidence', () => {
    const p = propose({
      spec: getObject('account'),
      columns: ['external_id', 'name', 'company', 'notes', 'seat', 'nmae'],
      rows: [{ external_id: 'a', name: 'A', company: 'A Inc', notes: '', seat: '3', nmae: 'x' }],
      known,
      haveCatalogue: true,
    });
    expect(p.ignore).toEqual(['company', 'notes', 'seat', 'nmae']);
    const review = Object.fromEntries(p.decisions.map((d) => [d.column, d.review]));
    expect(review.company).toBe('name is already filled by column "name": pick one (the map entry decides)');
    expect(review.notes).toBe('empty in the one sampled row: nothing tells what it holds');
    expect(review.seat).toBe('did you mean traits.vitally.custom.seats? Left out until you choose');
    expect(review.nmae).toBe('is it name misspelt? Left out until you choose');
  });

  it("looks up the customer's own ids where a field takes Vitally ids, and names what a create still needs", () => {
    const user = propose({
      spec: getObject('user'),
      columns: ['user_id', 'email', 'account_id', 'organization_id'],
      rows: [{ user_id: 'u1', email: 'a@x.example', account_id: 'acme', organization_id: UUID }],
      known: [],
      haveCatalogue: false,
    });
    expect(user.map).toEqual({ user_id: 'externalId', email: 'email', account_id: 'accountExternalId', organization_id: 'organizationIds' });
    expect(user.decisions[2]!.reason).toContain('not Vitally ids: accountExternalId looks them up as your account ids');
    expect(user.missing).toEqual([]);

    const nd = propose({
      spec: getObject('user'),
      columns: ['externalId', 'traits', 'score'],
      rows: [{ externalId: 'u', traits: { a: 1 }, score: 3 }],
      known: [],
      haveCatalogue: false,
    });
    expect(nd.map).toEqual({ externalId: 'externalId', score: 'traits.score:number' });
    expect(nd.decisions[1]).toMatchObject({ column: 'traits', target: '(traits object)' });

    const acc = propose({ spec: getObject('account'), columns: ['id'], rows: [{ id: 'a' }], known, haveCatalogue: false });
    expect(acc.missing).toEqual(['name']);
    const note = propose({ spec: getObject('note'), columns: ['body'], rows: [{ body: 'hi' }], known: [], haveCatalogue: false });
    expect(note.missing).toEqual(['accountId or organizationId']);
  });
});
