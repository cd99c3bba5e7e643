/** Opening the input: a file (checked before any request) or stdin. */

import { open, type FileHandle } from 'node:fs/promises';
import { InputError, VitallySyncError, errorMessage } from '../errors.js';

/**
 * Read size of the file stream, per format: large enough for throughput, small enough to keep memory
 * flat. Every record of a chunk is in memory at once, with its result, and that many objects surviving a
 * young-generation collection make the heap grow: a 300k-row dry run peaked about 12 MiB lower with 16 KiB
 * CSV chunks than with 64 KiB, in the same time; NDJSON is split by hand, per chunk, so it keeps 32 KiB
 * (16 KiB cost it a tenth more time). Measured with bench/child.js; see docs/benchmarks.md.
 */
export const READ_CHUNK_BYTES = { csv: 16 * 1024, ndjson: 32 * 1024 } as const;

export function inputLabel(path: string): string {
  return path === '-' ? 'stdin' : path;
}

/** Opens a regular file for reading, or throws INPUT_NOT_FOUND / INPUT_UNREADABLE. */
export async function openInputFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw fsInputError(err, path);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new InputError('INPUT_UNREADABLE', `Cannot read ${path}: it is a directory, not a file`);
  } catch (err) {
    await handle.close();
    throw err instanceof VitallySyncError ? err : fsInputError(err, path);
  }
  return handle;
}

export function fsInputError(err: unknown, path: string): InputError {
  const code = (err as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new InputError('INPUT_NOT_FOUND', `Input file not found: ${path}`);
  if (code === 'EISDIR') return new InputError('INPUT_UNREADABLE', `Cannot read ${path}: it is a directory, not a file`);
  if (code === 'EACCES' || code === 'EPERM') return new InputError('INPUT_UNREADABLE', `Cannot read ${path}: permission denied`);
  return new InputError('INPUT_UNREADABLE', `Cannot read ${path}: ${errorMessage(err)}`);
}

/** A failure while reading (after opening) as an InputError; typed errors pass through. */
export function readFailure(err: unknown, label: string): VitallySyncError {
  if (err instanceof VitallySyncError) return err;
  return fsInputError(err, label);
}
