/**
 * "Did you mean": the known name closest to one that is not known, by edit distance. Used wherever a
 * value must be one of a list (an object type, a sync's name, a setting, an option of push()); Vitally's
 * trait keys have a finer comparison of their own (src/schema/suggest.ts).
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

const norm = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/**
 * The known name closest to `word` (case, spaces, '_' and '-' ignored), or undefined when even the
 * closest is too far to be a slip: more than a third of the word's length (at least 1) apart.
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const w = norm(word);
  const limit = Math.max(1, Math.floor(w.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(w, norm(k));
    if (d < bestDistance && d <= limit) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean "account"?)`, or '' when no known name is close. */
export function didYouMean(word: string, known: Iterable<string>): string {
  const near = closest(word, known);
  return near === undefined || near === word ? '' : ` (did you mean "${near}"?)`;
}
