/**
 * Parquet files for the tests, written by hyparquet-writer. Its own codecs are SNAPPY and UNCOMPRESSED;
 * the others come from node:zlib (GZIP, BROTLI) or are written here in their simplest valid form
 * (LZ4_RAW: one block of literals; ZSTD: a frame of raw blocks), so the reader's decompressors are
 * exercised by every codec without a native compressor.
 */
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import type { ColumnSource, ParquetWriteOptions } from 'hyparquet-writer';

/** An LZ4 block of one sequence of literals (no match), as the LZ4 block format allows for the last one. */
function lz4Literals(input: Uint8Array): Uint8Array {
  const head: number[] = [];
  const n = input.length;
  head.push(Math.min(n, 15) << 4);
  if (n >= 15) {
    let rest = n - 15;
    for (; rest >= 255; rest -= 255) head.push(255);
    head.push(rest);
  }
  return Buffer.concat([Buffer.from(head), input]);
}

/** A Zstandard frame (single segment, content size given) of raw, uncompressed blocks. */
function zstdRaw(input: Uint8Array): Uint8Array {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xa0])];
  const size = Buffer.alloc(4);
  size.writeUInt32LE(input.length);
  parts.push(size);
  const max = 128 * 1024;
  for (let at = 0; at < input.length || at === 0; at += max) {
    const block = input.subarray(at, at + max);
    const last = at + max >= input.length ? 1 : 0;
    const header = (block.length << 3) | last; // block type 0: raw
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), Buffer.from(block));
    if (input.length === 0) break;
  }
  return Buffer.concat(parts);
}

export const COMPRESSORS = {
  GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)),
  BROTLI: (b: Uint8Array) => new Uint8Array(brotliCompressSync(b)),
  LZ4_RAW: lz4Literals,
  ZSTD: zstdRaw,
};

export type Codec = 'UNCOMPRESSED' | 'SNAPPY' | keyof typeof COMPRESSORS;
export const CODECS: Codec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'LZ4_RAW', 'ZSTD'];

export function writeParquet(filename: string, columnData: ColumnSource[], opts: Omit<ParquetWriteOptions, 'writer' | 'columnData'> = {}): string {
  parquetWriteFile({ filename, columnData, compressors: COMPRESSORS, ...opts });
  return filename;
}

/** A file written by DuckDB (see test/fixtures/README.md). */
export const DUCKDB_FILE = join(import.meta.dirname, '../fixtures/duckdb-accounts.parquet');

/** The typed values of its first row (acc-1, Acme) besides its id, name and null comment. */
export const DUCKDB_ACME = {
  seats: 42,
  big_id: '9007199254740993',
  mrr: 1234.56,
  ltv: '12345678901234567.891',
  updated_at: '2024-05-01T12:30:45.123456Z',
  renews_on: '2024-05-01',
  active: true,
  tags: ['gold', 'beta'],
  attrs: { tier: 2, region: 'eu' },
};
