/**
 * "Did you mean": the known trait keys closest to an unknown one, by edit distance. Vitally's custom keys
 * are paths (`vitally.custom.mrr`) while a file's columns are usually bare (`mmr`), so a key is compared
 * with each known key whole and with its last segment, ignoring case and separators.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost 1. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

const norm = (s: string) => s.toLowerCase().replace(/[\s_.-]+/g, '');
const lastSegment = (s: string) => s.slice(s.lastIndexOf('.') + 1);

/** How far `key` is from `known`: the best of whole against whole, and last segment against last segment. */
export function keyDistance(key: string, known: string): number {
  const k = norm(key);
  const lk = norm(lastSegment(key));
  return Math.min(editDistance(k, norm(known)), editDistance(k, norm(lastSegment(known))), editDistance(lk, norm(lastSegment(known))));
}

/**
 * The known keys closest to `key` (ties all kept, at most `max`), or none when even the closest is too far
 * to be a slip: more than a third of the key's length (at least 1) apart.
 */
export function suggest(key: string, known: Iterable<string>, max = 3): string[] {
  const limit = Math.max(1, Math.floor(norm(lastSegment(key)).length / 3));
  let best = Infinity;
  let found: string[] = [];
  for (const k of known) {
    const d = keyDistance(key, k);
    if (d > limit || d > best) continue;
    if (d < best) {
      best = d;
      found = [];
    }
    if (!found.includes(k)) found.push(k);
  }
  return found.slice(0, max);
}

export { orList } from '../text.js';
