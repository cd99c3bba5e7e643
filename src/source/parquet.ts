/**
 * The Parquet reader (hyparquet, with hyparquet-compressors for gzip, brotli, zstd, lz4).
 *
 * The file is read through an AsyncBuffer over one file handle: hyparquet asks for byte ranges (the
 * footer, then each column chunk), never for the whole file. Row groups are read one at a time, each
 * column of the group decoded whole (the unit Parquet compresses), then turned into records a batch at a
 * time: memory holds one row group's columns, whatever the size of the file.
 *
 * A record's `row` is its 1-based number; its `line` is its 0-based row index in the file (the position
 * DuckDB's `file_row_number` and hyparquet's `rowIndex` give). Values are typed as `typed.ts` says.
 */
import type { FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetScan, parquetSchema, type AsyncBuffer, type SchemaTree } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputError, VitallySyncError, errorMessage } from '../errors.js';
import type { SourceRecord } from '../types.js';
import { openInputFile } from './input.js';
import { PARSERS, columnConverters, readableMetadata, unreadableType } from './parquet-values.js';
import { setField, typedRecord } from './typed.js';

export interface ParquetReadOptions {
  path: string;
  /** How errors name the input. */
  label: string;
  signal: AbortSignal | undefined;
  /** Columns left out of the read (push --ignore): never decoded, so a value there fails no row. */
  ignore?: readonly string[] | undefined;
  /** Records per batch (default 256: larger batches keep more objects alive at once, and cost the run time in collections). */
  batchRows?: number;
}

/** Reads byte ranges of an open file: what hyparquet asks for, and nothing more. */
function fileBuffer(handle: FileHandle, size: number, label: string): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end: number = size): Promise<ArrayBuffer> {
      const out = new Uint8Array(Math.max(0, end - start));
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await handle.read(out, done, out.length - done, start + done);
        if (bytesRead === 0) throw new InputError('INPUT_UNREADABLE', `Cannot read ${label}: the file ended early (was it changed while it was read?)`);
        done += bytesRead;
      }
      return out.buffer;
    },
  };
}

/** Records in batches, row group by row group. */
export async function* readParquetBatches(o: ParquetReadOptions): AsyncGenerator<SourceRecord[]> {
  if (o.signal?.aborted) return;
  const handle = await openInputFile(o.path);
  const batchRows = o.batchRows ?? 256;
  try {
    const size = (await handle.stat()).size;
    if (size < 12) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `Cannot read ${o.label} as Parquet: it holds ${size} bytes, too few for a Parquet file (at least 12: PAR1, a footer and its length, PAR1)`,
      );
    }
    const file = fileBuffer(handle, size, o.label);
    const metadata = await parquetMetadataAsync(file, { parsers: PARSERS }).catch((err: unknown) => {
      throw unreadable(o.label, err);
    });
    const tree = parquetSchema(metadata);
    const ignore = new Set(o.ignore ?? []);
    const columns = tree.children.map((c) => c.element.name).filter((c) => !ignore.has(c));
    refuseUnreadable(tree, ignore, o.label);
    const twice = columns.find((c, i) => columns.indexOf(c) !== i);
    if (twice !== undefined) {
      throw new InputError(
        'INPUT_UNREADABLE',
        `${o.label}: two columns are named "${twice}", and a record holds one value per name: rewrite the file with a name of its own for each`,
      );
    }
    const converters = columnConverters(tree);
    const scan = await parquetScan({ file, metadata: readableMetadata(metadata, tree), columns, compressors, parsers: PARSERS, utf8: false });
    let row = 0;
    for (const range of scan.ranges) {
      if (o.signal?.aborted) return;
      const data: ArrayLike<unknown>[] = [];
      for (const column of columns) data.push(await scan.readColumn({ column, rowStart: range.rowStart, rowEnd: range.rowEnd }));
      const convert = columns.map((c) => converters.get(c)!);
      for (let start = 0; start < range.rowEnd - range.rowStart; start += batchRows) {
        if (o.signal?.aborted) return;
        const end = Math.min(start + batchRows, range.rowEnd - range.rowStart);
        const batch: SourceRecord[] = [];
        for (let i = start; i < end; i++) {
          const record: Record<string, unknown> = {};
          for (let c = 0; c < columns.length; c++) setField(record, columns[c]!, convert[c]!(data[c]![i]));
          batch.push(typedRecord(++row, range.rowStart + i, record));
        }
        yield batch;
      }
    }
  } catch (err) {
    if (o.signal?.aborted) return;
    throw unreadable(o.label, err);
  } finally {
    await handle.close();
  }
}

/** A column hyparquet cannot decode stops the read before any row, naming it. */
function refuseUnreadable(tree: SchemaTree, ignore: Set<string>, label: string): void {
  for (const top of tree.children) {
    if (ignore.has(top.element.name)) continue;
    const stack = [top];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const type = unreadableType(node.element);
      if (type) {
        throw new InputError(
          'INPUT_UNREADABLE',
          `${label}: column "${top.element.name}" holds ${type} values, which cannot be read; leave it out with --ignore ${top.element.name}`,
        );
      }
      stack.push(...node.children);
    }
  }
}

function unreadable(label: string, err: unknown): VitallySyncError {
  if (err instanceof VitallySyncError) return err;
  return new InputError('INPUT_UNREADABLE', `Cannot read ${label} as Parquet: ${errorMessage(err)}`);
}

/** The number of rows a Parquet file says it holds (its footer), or null when it cannot be read. */
export async function parquetRowCount(path: string): Promise<number | null> {
  let handle: FileHandle | undefined;
  try {
    handle = await openInputFile(path);
    const metadata = await parquetMetadataAsync(fileBuffer(handle, (await handle.stat()).size, path));
    return Number(metadata.num_rows);
  } catch {
    return null;
  } finally {
    await handle?.close();
  }
}
