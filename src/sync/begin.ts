/**
 * What a run does before its first row: read ahead what it needs to decide (the rows that type the
 * columns under --types auto, the rows that tell whether a listing of Vitally is worth it, or at least
 * the first batch, so an unreadable input fails before anything is asked of Vitally), ask for what waits
 * for a readable input (the trait catalogue), and start the comparison (a listing is read here).
 */
import type { MapperOptions } from '../mapping/mapper.js';
import { readerFor, type SourceOptions } from '../source/index.js';
import type { SourceRecord } from '../types.js';
import { CompareStage, type CompareSettings, type StageSetup } from './compare/index.js';
import { SAMPLE_ROWS, sampleColumns } from './sample.js';

export interface BeginOptions {
  source: SourceOptions;
  signal?: AbortSignal | undefined;
  mapper: MapperOptions;
  /** Type trait columns from the first rows (--types auto on text inputs). */
  inferTypes?: boolean | undefined;
  /** Mapper options asked for once the input has shown it can be read (the trait catalogue). */
  mapperFrom?: (() => Promise<Partial<MapperOptions>>) | undefined;
  compare: CompareSettings;
  /** The comparison's setup, but what the read-ahead tells. */
  setup: Omit<StageSetup, 'readAhead' | 'inputEnded' | 'inputSize'>;
}

export interface Begun {
  /** The whole input again, the rows read ahead first. */
  input: AsyncGenerator<SourceRecord[]>;
  mapper: MapperOptions;
  stage: CompareStage;
}

export async function begin(input: AsyncGenerator<SourceRecord[]>, o: BeginOptions): Promise<Begun> {
  let mapper = o.mapper;
  const forCompare = CompareStage.readAhead(o.compare, o.setup);
  const ahead = Math.max(o.inferTypes ? SAMPLE_ROWS : 0, forCompare, o.mapperFrom ? 1 : 0);
  let read = 0;
  let ended = false;
  if (ahead > 0) {
    const s = await sampleColumns(input, ahead, o.mapper.cells);
    ({ read, ended } = s);
    input = s.batches;
    if (o.inferTypes) mapper = { ...mapper, inferred: s.types };
    if (o.mapperFrom) mapper = { ...mapper, ...(await o.mapperFrom()) };
  }
  // How many records a listing the run chooses may read per input row: a file's size counts, not only the rows read ahead.
  const inputSize = o.compare.compare === 'auto' && forCompare > 1 && !ended ? await sizeOf(o.source, o.signal) : null;
  const stage = await CompareStage.start(o.compare, { ...o.setup, readAhead: read, inputEnded: ended, inputSize });
  return { input, mapper, stage };
}

/** The records of a file, as its reader estimates them (a line count), or null (stdin, a query, no estimate). */
async function sizeOf(source: SourceOptions, signal: AbortSignal | undefined): Promise<number | null> {
  if (source.path === '-') return null;
  try {
    return (await readerFor(source.path, source.format).countRecords?.(source.path, signal)) ?? null;
  } catch {
    return null;
  }
}
