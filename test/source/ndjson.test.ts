/** The NDJSON reader on real files and streams. */

import { afterAll, describe, expect, it } from 'vitest';
import { InputError, RowError } from '../../src/errors.js';
import { chunks, readAll, readError, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('ndjson');
afterAll(() => tmp.cleanup());
const file = tmp.file;

describe('NDJSON', () => {
  it('reads one object per line, keeping JSON types', async () => {
    const path = file('types.ndjson', '{"id":"a","n":1.5,"ok":true,"none":null,"tags":["x"],"t":{"k":"v"}}\n{"id":"b"}\n');
    expect(await readAll({ path })).toEqual([
      { row: 1, line: 1, data: { id: 'a', n: 1.5, ok: true, none: null, tags: ['x'], t: { k: 'v' } } },
      { row: 2, line: 2, data: { id: 'b' } },
    ]);
  });

  it('skips blank and whitespace-only lines: they are not rows, but lines still count', async () => {
    const path = file('blank.ndjson', '\n{"a":1}\n\n   \n\t\n{"a":2}\n\n');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 2, data: { a: 1 } },
      { row: 2, line: 6, data: { a: 2 } },
    ]);
  });

  it('fails a line that is not JSON alone, and goes on', async () => {
    const path = file('bad.ndjson', '{"a":1}\n{"a":2}\n\n{"a":,}\n{"a":3}\n');
    const recs = await readAll({ path });
    expect(recs.map((r) => [r.row, r.line, r.data?.['a'] ?? null])).toEqual([
      [1, 1, 1],
      [2, 2, 2],
      [3, 4, null],
      [4, 5, 3],
    ]);
    const bad = recs[2];
    expect(bad?.error).toBeInstanceOf(RowError);
    expect(bad?.error?.code).toBe('NDJSON_MALFORMED');
    expect(bad?.error?.message).toMatch(/^line 4: not valid JSON \(.+\)$/);
    expect(bad?.raw).toBe('{"a":,}');
  });

  it.each([
    ['[1,2]', 'an array'],
    ['42', 'a number'],
    ['"text"', 'a string'],
    ['null', 'null'],
    ['true', 'a boolean'],
  ])('fails a line holding %s: expected a JSON object, found %s', async (json, found) => {
    const path = file('scalar.ndjson', `{"a":1}\n${json}\n{"a":2}\n`);
    const recs = await readAll({ path });
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, error: `line 2: expected a JSON object, found ${found}` },
      { row: 3, line: 3, data: { a: 2 } },
    ]);
    expect(recs[1]?.error?.code).toBe('NDJSON_NOT_OBJECT');
    expect(recs[1]?.raw).toBe(json);
  });

  it('tolerates CRLF, a BOM on the first line, and a last line without a newline', async () => {
    const path = file('crlf.ndjson', '\uFEFF{"a":"x\\r\\ny"}\r\n\r\n{"a":2}\r\n{"a":3}');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 1, data: { a: 'x\r\ny' } },
      { row: 2, line: 3, data: { a: 2 } },
      { row: 3, line: 4, data: { a: 3 } },
    ]);
  });

  it('fails an overlong line without keeping it, and goes on', async () => {
    const long = `{"a":"${'x'.repeat(5000)}"}`;
    const path = file('long.ndjson', `{"a":1}\n${long}\n{"a":2}\n${long}`);
    const recs = await readAll({ path, maxRecordBytes: 1000 });
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, error: 'line 2: longer than 1000 characters; each line must hold one JSON object' },
      { row: 3, line: 3, data: { a: 2 } },
      { row: 4, line: 4, error: 'line 4: longer than 1000 characters; each line must hold one JSON object' },
    ]);
    expect(recs[1]?.raw?.length).toBeLessThan(300);
  });

  it('fails a line that outgrows the limit across read chunks, then reads the next one', async () => {
    const huge = `{"a":"${'y'.repeat(300_000)}"}`;
    const path = file('huge.ndjson', `{"a":1}\n${huge}\r\n{"a":2}\n${huge}`);
    const recs = await readAll({ path, maxRecordBytes: 100_000 });
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, error: 'line 2: longer than 100000 characters; each line must hold one JSON object' },
      { row: 3, line: 3, data: { a: 2 } },
      { row: 4, line: 4, error: 'line 4: longer than 100000 characters; each line must hold one JSON object' },
    ]);
    expect(recs[3]?.raw).toBe(`{"a":"${'y'.repeat(194)}...`);
  });

  it('reads a long line held in many chunks whole, and shows the start of one that outgrows the limit', async () => {
    const value = 'z'.repeat(500_000);
    const path = file('long-ok.ndjson', `{"a":1}\n{"v":"${value}"}\n{"a":2}\n`);
    const recs = await readAll({ path });
    expect(recs.map((r) => r.data?.['v'] ?? r.data?.['a'])).toEqual([1, value, 2]);
    // Tiny chunks (stdin): the raw text of the overlong line is still its first 200 characters.
    const line = `{"w":"${'0123456789'.repeat(30)}"}`;
    const pieces = line.match(/.{1,7}/g)!;
    const stdin = chunks(...pieces, '\n{"a":3}\n');
    const got = await readAll({ path: '-', format: 'ndjson', stdin, maxRecordBytes: 250 });
    expect(got[0]?.raw).toBe(`${line.slice(0, 200)}...`);
    expect(got[1]?.data).toEqual({ a: 3 });
  });

  it('keeps line numbers across 64 KiB read chunks', async () => {
    let text = '';
    const expected: Array<[number, number]> = [];
    let line = 0;
    for (let i = 1; i <= 5000; i++) {
      if (i % 9 === 0) {
        text += '\n';
        line++;
      }
      text += `${JSON.stringify({ i, s: 'é'.repeat(i % 50) })}\n`;
      expected.push([i, ++line]);
    }
    const recs = await readAll({ path: file('big.ndjson', text) });
    expect(recs.map((r) => [r.data?.['i'], r.line])).toEqual(expected);
    expect(recs.every((r, k) => r.row === k + 1)).toBe(true);
  });

  it.each([
    ['zero bytes', ''],
    ['a BOM only', '\uFEFF'],
    ['blank lines', '\n \r\n\t\n'],
  ])('throws INPUT_EMPTY for %s', async (_label, text) => {
    const path = file('empty.ndjson', text);
    const err = await readError({ path });
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('INPUT_EMPTY');
    expect(err.message).toBe(`${path} is empty: no records`);
  });
});

describe('stdin', () => {
  it('reads NDJSON from a stream, a line and a UTF-8 character split across chunks', async () => {
    const euro = Buffer.from('€');
    const stdin = chunks(Buffer.from('{"a":1}\n{"b":"'), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('"}\n\n{"c"')]), Buffer.from(':3}'));
    expect(summary(await readAll({ path: '-', format: 'ndjson', stdin }))).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, data: { b: '€' } },
      { row: 3, line: 4, data: { c: 3 } },
    ]);
  });

  it('reads CSV from a stream, a quoted field and a CRLF split across chunks', async () => {
    const stdin = chunks('\uFEFFid,note\r', '\n1,"a\r', '\nb"\r\n2', ',x\r\n');
    expect(summary(await readAll({ path: '-', format: 'csv', stdin }))).toEqual([
      { row: 1, line: 2, data: { id: '1', note: 'a\r\nb' } },
      { row: 2, line: 4, data: { id: '2', note: 'x' } },
    ]);
  });

  it('says "stdin" when it is empty', async () => {
    const err = await readError({ path: '-', format: 'csv', stdin: chunks('') });
    expect(err.message).toBe('stdin is empty: no header and no records');
    const nd = await readError({ path: '-', format: 'ndjson', stdin: chunks('\n') });
    expect(nd.message).toBe('stdin is empty: no records');
  });
});

describe('a rejects file', () => {
  it('is told by its first line: each record comes from under "record"; a line without one fails alone', async () => {
    const notes: string[] = [];
    const path = file(
      'rejects.ndjson',
      [
        '{"row":2,"line":3,"key":"b","error":"name: required","record":{"externalId":"b","mrr":"1"}}',
        '{"row":4,"line":5,"key":null,"error":"line 5: bare quote","raw":"c,\\"x"}',
        '{"row":0,"key":"gone","error":"answered 500"}',
        '{"externalId":"d"}',
      ].join('\n'),
    );
    expect(summary(await readAll({ path, onNote: (m) => notes.push(m) }))).toEqual([
      { row: 1, line: 1, data: { externalId: 'b', mrr: '1' } },
      {
        row: 2,
        line: 2,
        error:
          'line 2: row 4 (line 5) of its input could not be read there (line 5: bare quote), so there is no record to send: fix it in that input and push it from there',
      },
      { row: 3, line: 3, error: 'line 3: a failed deletion (answered 500) holds no record to send; the next --delete-missing run deletes it again' },
      { row: 4, line: 4, error: 'line 4: not a rejected row like the lines before it (row, error, record)' },
    ]);
    expect(notes).toEqual([`${path} is a rejects file: the record of each line is sent as it was read`]);
  });
});
