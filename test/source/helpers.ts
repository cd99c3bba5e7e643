/** Test helpers for the source readers: temp files under os.tmpdir(), and draining a reader. */

import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readRecords, type SourceOptions } from '../../src/source/index.js';
import type { SourceRecord } from '../../src/types.js';
import { makeTempDir } from '../helpers/temp.js';

/** A temp folder per test file (removed after it); `file(name, content)` writes into it and returns the path. */
export function tempFiles(prefix: string): { file: (name: string, content: string | Buffer) => string; dir: string; cleanup: () => void } {
  const dir = makeTempDir(prefix);
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function readAll(opts: SourceOptions): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const rec of readRecords(opts)) out.push(rec);
  return out;
}

/** The error a reader throws (awaiting the whole read); fails the test if it throws none. */
export async function readError(opts: SourceOptions): Promise<Error & { code?: string }> {
  try {
    await readAll(opts);
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected the read to throw');
}

/** Records without their error objects, for compact assertions: { row, line, data | error message }. */
export function summary(records: SourceRecord[]): Array<Record<string, unknown>> {
  return records.map((r) =>
    r.error ? { row: r.row, line: r.line, error: r.error.message, ...(r.fatal ? { fatal: true } : {}) } : { row: r.row, line: r.line, data: r.data },
  );
}

/** A stdin stand-in: the given chunks, one by one (Buffers stay Buffers). */
export function chunks(...parts: Array<string | Buffer>): Readable {
  return Readable.from(parts, { objectMode: false });
}
