/**
 * The output files' writer against a full disk (/dev/full answers every write with ENOSPC): the failure
 * is reported by close() whenever close() is called, also in the moment after a failed write destroyed
 * the stream and before its 'error' event came.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NdjsonFile } from '../../src/api/ndjson-file.js';

describe.skipIf(!existsSync('/dev/full'))('NdjsonFile on a full disk', () => {
  it('close() rejects, naming the flag and ENOSPC, even when called as soon as the failed write destroyed the stream', async () => {
    const file = new NdjsonFile('--log-requests', '/dev/full');
    await file.opened();
    file.writeLine('{"a":1}');
    // Close at the first turn of the event loop that finds the file no longer writable.
    while (file.writable) await new Promise((resolve) => setImmediate(resolve));
    await expect(file.close()).rejects.toThrow('--log-requests /dev/full: ENOSPC (writing failed: the file is incomplete)');
  });

  it('close() rejects when it is called while the write is still on its way', async () => {
    const file = new NdjsonFile('--rejects', '/dev/full');
    await file.opened();
    file.writeLine('{"a":1}');
    await expect(file.close()).rejects.toThrow('--rejects /dev/full: ENOSPC (writing failed: the file is incomplete)');
  });
});
