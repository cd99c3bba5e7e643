/**
 * "Did you mean": the known trait keys closest to an unknown one, by edit distance. Vitally's custom keys
 * are paths (`vitally.custom.mrr`) while a file's columns are usually bare (`mmr`), so a key is compared
 * with each known key whole and with its last segment, ignoring case and separators.
 */

import { editDistance } from '../suggest.js';

export { editDistance };

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
