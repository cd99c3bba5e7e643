import { describe, expect, it } from 'vitest';
import { KeySet } from '../../src/sync/keyset.js';

describe('KeySet', () => {
  it('returns the first row of a key seen again, across growth', () => {
    const set = new KeySet(4);
    for (let i = 1; i <= 50_000; i++) expect(set.add(`acc-${i}`, i)).toBeUndefined();
    expect(set.size).toBe(50_000);
    expect(set.add('acc-1', 50_001)).toBe(1);
    expect(set.add('acc-49999', 50_002)).toBe(49_999);
    expect(set.add('ACC-1', 50_003)).toBeUndefined();
    expect(set.add('', 50_004)).toBeUndefined();
    expect(set.add('', 50_005)).toBe(50_004);
  });

  it('tells apart keys that differ in one character or by order', () => {
    const set = new KeySet();
    const keys = ['ab', 'ba', 'a b', 'ab ', 'é', 'e\u0301', '0', '00'];
    keys.forEach((k, i) => expect(set.add(k, i + 1)).toBeUndefined());
    keys.forEach((k, i) => expect(set.add(k, 100)).toBe(i + 1));
  });

  it('spreads sequential keys evenly over its tables, so no one table (and no copy of it) grows large', () => {
    const set = new KeySet();
    for (let i = 1; i <= 100_000; i++) set.add(`acc-${i}`, i);
    const counts = (set as unknown as { tables: Array<{ count: number }> }).tables.map((t) => t.count);
    const mean = 100_000 / counts.length;
    expect(Math.max(...counts)).toBeLessThan(mean * 1.5);
    expect(Math.min(...counts)).toBeGreaterThan(mean * 0.5);
  });
});
