import { describe, expect, it } from 'vitest';
import { editDistance, keyDistance, orList, suggest } from '../../src/schema/suggest.js';

describe('editDistance', () => {
  it.each([
    ['mrr', 'mrr', 0],
    ['mmr', 'mrr', 1],
    ['seats', 'seat', 1],
    ['plna', 'plan', 1], // adjacent swap costs one
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s -> %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe('suggest', () => {
  const known = ['mrr', 'nextRenewalDate', 'vitally.custom.plan', 'vitally.custom.seats', 'vitally.custom.nextStep'];

  it('compares a bare key with whole keys and with the last segment of paths, ignoring case and separators', () => {
    expect(suggest('mmr', known)).toEqual(['mrr']);
    expect(suggest('plan', known)).toEqual(['vitally.custom.plan']);
    expect(suggest('next_step', known)).toEqual(['vitally.custom.nextStep']);
    expect(suggest('vitally.custom.seets', known)).toEqual(['vitally.custom.seats']);
    expect(suggest('next_renewal_dte', known)).toEqual(['nextRenewalDate']);
    expect(keyDistance('custom.plan', 'vitally.custom.plan')).toBe(0);
  });

  it('suggests nothing when even the closest key is too far to be a slip, and keeps ties', () => {
    expect(suggest('industry', known)).toEqual([]);
    expect(suggest('ab', ['ac', 'ad', 'xyz'])).toEqual(['ac', 'ad']);
  });

  it('orList', () => {
    expect(orList(['a'])).toBe('a');
    expect(orList(['a', 'b', 'c'])).toBe('a, b or c');
  });
});
