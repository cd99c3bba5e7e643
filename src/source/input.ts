/** Opening the input: a file (checked before any request) or stdin. */

import { open, type FileHandle } from 'node:fs/promises';
import { InputError, VitallySyncError, errorMessage } from '../errors.js';

/** Read size of the file stream: large enough for throughput, small enough to keep memory flat. */
export const READ_CHUNK_BYTES = 64 * 1024;

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
