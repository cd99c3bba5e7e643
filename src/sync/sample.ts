/**
 * Typing trait columns from the input's first rows (--types auto, inputs whose values are all text). A
 * streaming run cannot see a whole column before it sends its first row, so it reads ahead: whole input
 * batches until it holds SAMPLE_ROWS records (or the input ends), types each column from them (the
 * `push` policy of mapping/infer.ts), then hands the batches on, followed by the rest of the input. The
 * types are held to for the whole run: a later cell that does not fit its column's type fails its row.
 */
import type { CellFormat, ValueType } from '../mapping/coerce.js';
import { inferType } from '../mapping/infer.js';
import type { InferredTypes } from '../mapping/mapper.js';
import type { SourceRecord } from '../types.js';

/** Records read ahead to type the columns. */
export const SAMPLE_ROWS = 1000;

export interface Sampled {
  types: InferredTypes;
  /** Records read ahead, and whether they are the whole input. */
  read: number;
  ended: boolean;
  /** Every record of the input, the sampled ones first, in their batches. */
  batches: AsyncGenerator<SourceRecord[]>;
}

/** Read ahead up to `rows` records, type their columns, and give the whole input back. */
export async function sampleColumns(input: AsyncGenerator<SourceRecord[]>, rows = SAMPLE_ROWS, cells?: CellFormat): Promise<Sampled> {
  const held: SourceRecord[][] = [];
  let count = 0;
  let ended = false;
  /** An input that fails while read ahead still hands on the records read before, then fails there. */
  let failure: { err: unknown } | undefined;
  while (count < rows) {
    let next: IteratorResult<SourceRecord[]>;
    try {
      next = await input.next();
    } catch (err) {
      failure = { err };
      break;
    }
    if (next.done) {
      ended = true;
      break;
    }
    held.push(next.value);
    count += next.value.length;
    // A reader that cannot go on ends with this record: nothing follows it.
    if (next.value.some((r) => r.fatal)) break;
  }
  // Nothing could be read at all: the input's error is the run's, before anything else is done.
  if (failure && held.length === 0) throw failure.err;
  const sample: Array<Record<string, unknown>> = [];
  for (const batch of held) for (const r of batch) if (r.data && sample.length < rows) sample.push(r.data);
  return {
    types: { types: typesOf(sample, cells), rows: sample.length },
    read: count,
    ended: ended || failure !== undefined,
    batches: replay(held, ended || failure ? undefined : input, failure),
  };
}

/** Each column's type, from the records sampled (a column missing from a record counts as empty there). */
function typesOf(sample: Array<Record<string, unknown>>, cells: CellFormat | undefined): Map<string, ValueType | undefined> {
  const columns = new Set<string>();
  for (const d of sample) for (const c of Object.keys(d)) columns.add(c);
  const out = new Map<string, ValueType | undefined>();
  for (const c of columns)
    out.set(
      c,
      inferType(
        sample.map((d) => d[c]),
        'push',
        cells,
      ).type,
    );
  return out;
}

async function* replay(
  held: SourceRecord[][],
  rest: AsyncGenerator<SourceRecord[]> | undefined,
  failure: { err: unknown } | undefined,
): AsyncGenerator<SourceRecord[]> {
  try {
    while (held.length > 0) yield held.shift()!;
    if (failure) throw failure.err;
    if (rest) yield* rest;
  } finally {
    // A run that stops early closes the reader (its file, its query) all the same.
    await rest?.return(undefined);
  }
}
