/**
 * Which JSON values the tool carries. Three kinds of valid JSON cannot be sent as read:
 * - a number beyond a double's range (`1e309`): JSON.parse reads it as Infinity, which JSON.stringify
 *   writes as `null`, and a null trait erases the trait in Vitally;
 * - a whole number beyond 2^53 written out in digits (`12345678901234567890`, an id exported as a
 *   number): JSON.parse rounds it (`12345678901234567000`), so it would be sent, and keyed, with other
 *   digits. Whether the digits written were exact cannot be told once read, so every such number is
 *   refused (numbers of 1e21 and above are written in exponent form, and read as written);
 * - a value nested deeper than MAX_JSON_DEPTH levels: the code that hashes, plans and prints rows
 *   recurses into values, and thousands of levels overflow its stack.
 * Both are found where a value is read (an NDJSON line, a cell converted as json), so only that row fails.
 */

/** The deepest nesting of objects and arrays a value may have (the record itself is level 1). */
export const MAX_JSON_DEPTH = 64;

interface Found {
  /** From the problem up to the value's root, innermost first. */
  path: string[];
  reason: string;
}

const SHOWN_STEPS = 4;

const TOO_LARGE = 'a number too large for JSON (it reads as Infinity and would be sent as null, which erases a trait)';
const ROUNDED = `a whole number beyond ${Number.MAX_SAFE_INTEGER}, which reading JSON rounds (it would be sent with other digits): write it as a string`;

/** Whole numbers from 2^53 up to 1e21, the ones JSON writes in plain digits: their last digits may be lost. */
const rounded = (n: number) => Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER && Math.abs(n) < 1e21;

/**
 * The first part of a parsed JSON value that cannot be carried, as `where: why` (`traits.mrr: a number
 * too large ...`), or null when there is none. `prefix` names the value itself in the text.
 */
export function jsonValueProblem(value: unknown, prefix = ''): string | null {
  const found = find(value, 0);
  if (!found) return null;
  let where = prefix;
  // The outermost few steps name the place well enough; a path 60 levels long does not help.
  const last = Math.max(0, found.path.length - SHOWN_STEPS);
  for (let i = found.path.length - 1; i >= last; i--) {
    const part = found.path[i] as string;
    where = part.startsWith('[') || where === '' ? `${where}${part}` : `${where}.${part}`;
  }
  if (last > 0) where += '...';
  return where === '' ? found.reason : `${where}: ${found.reason}`;
}

/** Depth-first, with the recursion bounded by MAX_JSON_DEPTH; `level` counts the containers around `v`. */
function find(v: unknown, level: number): Found | null {
  if (typeof v === 'number') return !Number.isFinite(v) ? { path: [], reason: TOO_LARGE } : rounded(v) ? { path: [], reason: ROUNDED } : null;
  if (typeof v !== 'object' || v === null) return null;
  if (level >= MAX_JSON_DEPTH) return { path: [], reason: `nested more than ${MAX_JSON_DEPTH} levels deep` };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = find(v[i], level + 1);
      if (f) {
        f.path.push(`[${i}]`);
        return f;
      }
    }
    return null;
  }
  for (const k in v) {
    const f = find((v as Record<string, unknown>)[k], level + 1);
    if (f) {
      f.path.push(k);
      return f;
    }
  }
  return null;
}
