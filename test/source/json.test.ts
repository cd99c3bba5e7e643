/** The JSON reader (an array of objects, streamed) on real files and streams. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { chunks, readAll, readError, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('json');
const file = tmp.file;

describe('JSON arrays', () => {
  it('reads each element of the array as a record, with its line, keeping JSON types', async () => {
    const path = file('accounts.json', '[\n  {"id": "a", "n": 1.5, "ok": true, "tags": ["x"]},\n  {"id": "b", "none": null}\n]\n');
    expect(await readAll({ path })).toEqual([
      { row: 1, line: 2, data: { id: 'a', n: 1.5, ok: true, tags: ['x'] } },
      { row: 2, line: 3, data: { id: 'b', none: null } },
    ]);
  });

  it('is read in pieces: an element cut between chunks (a character too) comes out whole', async () => {
    const text = '\uFEFF[{"id":"1","name":"Société"},\n{"id":"2","name":"Zoë"}]';
    const bytes = Buffer.from(text);
    // One byte at a time: every element, string and character is cut somewhere.
    const parts = [...bytes].map((b) => Buffer.from([b]));
    expect(summary(await readAll({ path: '-', format: 'json', stdin: chunks(...parts) }))).toEqual([
      { row: 1, line: 1, data: { id: '1', name: 'Société' } },
      { row: 2, line: 2, data: { id: '2', name: 'Zoë' } },
    ]);
  });

  it('fails an element that is no object, or holds a value JSON cannot carry, alone', async () => {
    const path = file('mixed.json', '[{"id":"a"}, 3, [1], null,\n {"id":"b","x":1e309}, {"id":"c"}]');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 1, data: { id: 'a' } },
      { row: 2, line: 1, error: 'element 2 (line 1): expected a JSON object, found a number' },
      { row: 3, line: 1, error: 'element 3 (line 1): expected a JSON object, found an array' },
      { row: 4, line: 1, error: 'element 4 (line 1): expected a JSON object, found null' },
      { row: 5, line: 2, error: 'element 5 (line 2): x: a number too large for JSON (it reads as Infinity and would be sent as null, which erases a trait)' },
      { row: 6, line: 2, data: { id: 'c' } },
    ]);
  });

  it('ends the read at JSON that goes wrong, after the elements before it (the input was not read whole)', async () => {
    const bad = file('bad.json', '[{"id":"a"},\n{"id": x},\n{"id":"c"}]');
    expect(summary(await readAll({ path: bad }))).toEqual([
      { row: 1, line: 1, data: { id: 'a' } },
      { row: 2, line: 2, error: 'line 2: not valid JSON (Unexpected "x"); reading stopped there: the elements before it were read', fatal: true },
    ]);
    const cut = file('cut.json', '[{"id":"a"},\n{"id":"b"');
    expect(summary(await readAll({ path: cut }))).toEqual([
      { row: 1, line: 1, data: { id: 'a' } },
      {
        row: 2,
        line: 2,
        error: 'the file ends in the element starting at line 2, before the array is closed (is it cut short?); the elements before it were read',
        fatal: true,
      },
    ]);
  });

  it('ends the read at an element larger than the limit, without keeping it', async () => {
    const path = file('large.json', `[{"id":"a"},\n{"id":"b","blob":"${'x'.repeat(5000)}"},{"id":"c"}]`);
    const recs = summary(await readAll({ path, maxRecordBytes: 1000 }));
    expect(recs).toEqual([
      { row: 1, line: 1, data: { id: 'a' } },
      { row: 2, line: 2, error: 'the element starting at line 2 is larger than 1000 bytes; reading stopped there', fatal: true },
    ]);
  });

  it('refuses a file that holds no array of objects before any record', async () => {
    const one = await readError({ path: file('one.json', '{"id":"a"}\n') });
    expect(one).toBeInstanceOf(InputError);
    expect(one.message).toBe(
      `${tmp.dir}/one.json: expected a JSON array of objects ([{...}, {...}]), found an object at its start. One object per line is NDJSON: --format ndjson`,
    );
    const empty = await readError({ path: file('empty.json', '') });
    expect(empty.message).toBe(`${tmp.dir}/empty.json is empty: no JSON array`);
    expect(await readAll({ path: file('none.json', ' [ ] ') })).toEqual([]);
  });
});
