/** Input that is not UTF-8 stops the read at its first invalid byte, naming the line and byte offset. */
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readRecords } from '../../src/source/index.js';
import type { SourceRecord } from '../../src/types.js';
import { chunks, readAll, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('utf8');
afterAll(() => tmp.cleanup());

/** The records read before the read stopped, and the error it stopped with. */
async function readUntilError(opts: Parameters<typeof readRecords>[0]): Promise<{ records: SourceRecord[]; error: InputError }> {
  const records: SourceRecord[] = [];
  try {
    for await (const r of readRecords(opts)) records.push(r);
  } catch (err) {
    return { records, error: err as InputError };
  }
  throw new Error('expected the read to stop');
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('input that is not UTF-8', () => {
  it('CSV: the records before the bad byte are read, then the read stops naming line and byte offset', async () => {
    const lines = ['externalId,name'];
    for (let i = 1; i <= 3000; i++) lines.push(`a${i},"Name\r\n${i}"`); // two lines a record, CRLF
    const head = `${lines.join('\r\n')}\r\n`;
    const path = tmp.file('latin1.csv', Buffer.concat([Buffer.from(head), latin1('bad,Mart\xedn\r\nz,after\r\n')]));
    const { records, error } = await readUntilError({ path });
    expect(records).toHaveLength(3000);
    expect(records.every((r) => r.data !== undefined)).toBe(true);
    expect(error).toBeInstanceOf(InputError);
    expect(error.code).toBe('INPUT_UNREADABLE');
    const offset = Buffer.byteLength(head) + 'bad,Mart'.length;
    expect(error.message).toContain(`${path} is not UTF-8 text: line 6002, byte offset ${offset}: 0xED is not valid UTF-8 there`);
    expect(error.message).toContain('the rows before it were read; nothing after it was');
  });

  it('NDJSON: the lines before the bad one are read, the bad line and the rest are not', async () => {
    const path = tmp.file('latin1.ndjson', Buffer.concat([Buffer.from('{"a":1}\n{"a":2}\n'), latin1('{"a":"\xe9"}\n{"a":4}\n')]));
    const { records, error } = await readUntilError({ path });
    expect(summary(records)).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, data: { a: 2 } },
    ]);
    expect(error.message).toContain('line 3, byte offset 22: 0xE9 is not valid UTF-8 there');
  });

  it('CSV: a record ending right before the bad byte is still read', async () => {
    for (const end of ['\n', '\r\n', '\r']) {
      const { records, error } = await readUntilError({
        path: '-',
        format: 'csv',
        stdin: chunks(Buffer.concat([Buffer.from(`id,name${end}1,a${end}`), Buffer.from([0xff])])),
      });
      expect(records.map((r) => r.data)).toEqual([{ id: '1', name: 'a' }]);
      expect(error.message).toContain('line 3, byte offset');
    }
  });

  it('counts a lone CR as a line break in CSV, as the reader does', async () => {
    const path = tmp.file('cr.csv', Buffer.concat([Buffer.from('id,x\r1,a\r2,b\r'), latin1('3,\xff\r')]));
    const { records, error } = await readUntilError({ path });
    expect(records.map((r) => r.line)).toEqual([2, 3]);
    expect(error.message).toContain('line 4, byte offset 15: 0xFF');
  });

  it('reads a UTF-16 file by its byte-order mark, and names the --encoding to give a Windows-1252 one', async () => {
    const path = tmp.file('utf16.csv', Buffer.from('\uFEFFid,name\r\n1,Société\r\n', 'utf16le'));
    expect(summary(await readAll({ path }))).toEqual([{ row: 1, line: 2, data: { id: '1', name: 'Société' } }]);
    const cp1252 = tmp.file('cp1252.csv', Buffer.from([...Buffer.from('id,name\n1,Soci'), 0xe9, ...Buffer.from('t'), 0xe9, 0x0a]));
    const { error } = await readUntilError({ path: cp1252 });
    expect(error.message).toContain('line 2, byte offset 14: 0xE9 is not valid UTF-8 there');
    expect(error.message).toContain('--encoding windows-1252');
  });

  it('refuses overlong forms, surrogates and a character cut off at the end', async () => {
    for (const [bytes, at] of [
      [[0xc0, 0xaf], 'byte offset 7: 0xC0'], // overlong "/"
      [[0xed, 0xa0, 0x80], 'byte offset 7: 0xED'], // a UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 'byte offset 7: 0xF4'], // above U+10FFFF
    ] as const) {
      const { error } = await readUntilError({
        path: '-',
        format: 'ndjson',
        stdin: chunks(Buffer.concat([Buffer.from('{"a":"x'), Buffer.from(bytes), Buffer.from('"}\n')])),
      });
      expect(error.message).toContain(at);
    }
    const { error } = await readUntilError({ path: '-', format: 'ndjson', stdin: chunks(Buffer.from('{"a":1}\n{"a":"'), Buffer.from([0xe2, 0x82])) });
    expect(error.message).toContain('it ends in the middle of a character (byte offset 14, line 2)');
  });

  it('keeps a character cut between two chunks whole (stdin, CSV and NDJSON)', async () => {
    const euro = Buffer.from('€'); // three bytes
    for (const format of ['csv', 'ndjson'] as const) {
      const text = format === 'csv' ? ['id,price\n1,5', '\n'] : ['{"id":1,"price":"5', '"}\n'];
      const stdin = chunks(Buffer.from(text[0]!), euro.subarray(0, 1), euro.subarray(1, 2), Buffer.concat([euro.subarray(2), Buffer.from(text[1]!)]));
      const recs = await readAll({ path: '-', format, stdin });
      expect(recs.map((r) => r.data?.['price'])).toEqual(['5€']);
    }
  });
});

describe('CSV records that are no data', () => {
  it('fails a record holding a NUL byte, and refuses a header holding one', async () => {
    const path = tmp.file('nul.csv', 'id,name\n1,a\n2,b\u0000c\n3,d\n');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 2, data: { id: '1', name: 'a' } },
      {
        row: 2,
        line: 3,
        error:
          'line 3: holds a NUL byte, which no text export holds: binary data, or text that is not UTF-8 (UTF-16 without a byte-order mark? --encoding utf-16le)',
      },
      { row: 3, line: 4, data: { id: '3', name: 'd' } },
    ]);
    const binary = tmp.file('nul-header.csv', 'id,na\u0000me\n1,a\n');
    const { error } = await readUntilError({ path: binary });
    expect(error.message).toContain('the header holds NUL bytes: the file is binary, or UTF-16 text without a byte-order mark (--encoding utf-16le)');
    // UTF-16 without a byte-order mark is valid UTF-8 full of NULs: its first bytes tell it, and its byte order.
    const utf16 = tmp.file('utf16-nobom.csv', Buffer.from('id,name\n1,a\n', 'utf16le'));
    expect((await readUntilError({ path: utf16 })).error.message).toContain(
      'it starts with NUL bytes between its characters, as UTF-16 text without a byte-order mark does. Reading stopped there',
    );
    expect((await readUntilError({ path: utf16 })).error.message).toMatch(/--encoding utf-16le$/);
  });

  it('fails a record that repeats the header (two files joined), with or without a byte-order mark', async () => {
    const path = tmp.file('joined.csv', 'id,name\n1,a\n\uFEFFid,name\n2,b\nid, name \n');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 2, data: { id: '1', name: 'a' } },
      { row: 2, line: 3, error: 'line 3 repeats the header: were two files joined into one? It is not a record' },
      { row: 3, line: 4, data: { id: '2', name: 'b' } },
      { row: 4, line: 5, error: 'line 5 repeats the header: were two files joined into one? It is not a record' },
    ]);
  });
});

describe('NDJSON values that cannot be carried', () => {
  it('fails a line nested too deep or holding a number beyond a double, and goes on', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const path = tmp.file('hazards.ndjson', `{"a":1}\n{"a":${deep}}\n{"t":{"mrr":1e309}}\n{"t":[1,-1e400]}\n{"a":2}\n`);
    const recs = await readAll({ path });
    expect(summary(recs)).toEqual([
      { row: 1, line: 1, data: { a: 1 } },
      { row: 2, line: 2, error: 'line 2: a[0][0][0]...: nested more than 64 levels deep' },
      { row: 3, line: 3, error: 'line 3: t.mrr: a number too large for JSON (it reads as Infinity and would be sent as null, which erases a trait)' },
      { row: 4, line: 4, error: expect.stringMatching(/^line 4: t\[1\]: a number too large for JSON/) },
      { row: 5, line: 5, data: { a: 2 } },
    ]);
    expect(recs[1]?.raw).toBe(`{"a":${deep}}`);
    expect(recs[1]?.error?.code).toBe('ROW_INVALID');
  });

  it('accepts 64 levels, and a byte-order mark at the start of a later line (files joined)', async () => {
    let v: unknown = 1;
    for (let i = 0; i < 63; i++) v = [v];
    const path = tmp.file('ok.ndjson', `${JSON.stringify({ a: v })}\n\uFEFF{"b":2}\n`);
    const recs = await readAll({ path });
    expect(recs.map((r) => r.error?.message ?? 'ok')).toEqual(['ok', 'ok']);
    expect(recs[1]?.data).toEqual({ b: 2 });
  });
});
