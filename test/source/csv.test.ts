/** The CSV reader on real files: positions, header rules, values as written, malformed records. */

import { afterAll, describe, expect, it } from 'vitest';
import { InputError, RowError } from '../../src/errors.js';
import { readRecords } from '../../src/source/index.js';
import { readAll, readError, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('csv');
afterAll(() => tmp.cleanup());
const file = tmp.file;

describe('line numbers', () => {
  it('gives the line each record starts on across multi-line quoted fields (LF)', async () => {
    const path = file('multi.csv', 'id,note\n1,"a\nb\nc"\n2,x\n3,"\n"\n4,y');
    const recs = await readAll({ path });
    expect(recs.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 5],
      [3, 6],
      [4, 8],
    ]);
    expect(recs[0]?.data).toEqual({ id: '1', note: 'a\nb\nc' });
    expect(recs[2]?.data).toEqual({ id: '3', note: '\n' });
  });

  it('counts a CRLF inside a quoted field as one line (csv-parse info.lines counts two)', async () => {
    const path = file('crlf-multi.csv', 'id,note\r\n1,"a\r\nb\r\nc"\r\n2,x\r\n\r\n3,y\r\n');
    const recs = await readAll({ path });
    expect(recs.map((r) => [r.row, r.line])).toEqual([
      [1, 2],
      [2, 5],
      [3, 7],
    ]);
    expect(recs[0]?.data).toEqual({ id: '1', note: 'a\r\nb\r\nc' });
  });

  it('skips empty lines without making them rows, and counts them', async () => {
    const path = file('blank.csv', '\n\na,b\n\n1,2\n\n\n3,4\n\n');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 5, data: { a: '1', b: '2' } },
      { row: 2, line: 8, data: { a: '3', b: '4' } },
    ]);
  });

  it('treats an unquoted whitespace-only line as blank, but keeps a quoted one', async () => {
    const path = file('ws.csv', 'a\n  \n"  "\n""\nx\n');
    expect(summary(await readAll({ path }))).toEqual([
      { row: 1, line: 3, data: { a: '  ' } },
      { row: 2, line: 4, data: { a: '' } },
      { row: 3, line: 5, data: { a: 'x' } },
    ]);
  });

  it('stays right across 64 KiB read chunks, with CRLF, multi-line fields and blank lines', async () => {
    for (const eol of ['\n', '\r\n']) {
      let text = `id,note,n${eol}`;
      let line = 2;
      const expected: Array<[number, number, string]> = [];
      for (let i = 1; i <= 6000; i++) {
        if (i % 11 === 0) {
          text += eol;
          line++;
        }
        const note = i % 7 === 0 ? `first${eol}second "quoted"${eol}third, with comma` : `note ${i} ${'x'.repeat(i % 40)}`;
        const cell = note.includes(eol) || note.includes('"') ? `"${note.replaceAll('"', '""')}"` : note;
        text += `${i},${cell},${i * 3}${eol}`;
        expected.push([i, line, note]);
        line += note.split(eol).length;
      }
      expect(text.length).toBeGreaterThan(3 * 64 * 1024);
      const recs = await readAll({ path: file(`chunks${eol.length}.csv`, text) });
      expect(recs.map((r) => [r.row, r.line, r.data?.note])).toEqual(expected);
    }
  });
});

describe('header and values', () => {
  it('strips a UTF-8 BOM, trims header names, keeps values exactly as written', async () => {
    const path = file('bom.csv', '\uFEFF id , full name ,empty\r\n 1 ," Ada, ""the"" first ",\r\n');
    expect(await readAll({ path })).toEqual([{ row: 1, line: 2, data: { id: ' 1 ', 'full name': ' Ada, "the" first ', empty: '' } }]);
  });

  it("leaves out an unnamed column (Excel's trailing comma) where it is empty, says so once, and fails a row with a value there", async () => {
    const notes: string[] = [];
    const path = file('trailing.csv', 'id,name,\r\n1,a,\r\n2,b,oops\r\n3,c,\r\n');
    expect(summary(await readAll({ path, onNote: (m) => notes.push(m) }))).toEqual([
      { row: 1, line: 2, data: { id: '1', name: 'a' } },
      {
        row: 2,
        line: 3,
        error: 'line 3: column 3 has no name in the header, but this row holds "oops" there: name the column in the header, or remove the value',
      },
      { row: 3, line: 4, data: { id: '3', name: 'c' } },
    ]);
    expect(notes).toEqual([
      `${path}: column 3 has no name in the header (a trailing delimiter, as Excel writes): left out where empty; a row holding a value there fails`,
    ]);
    const middle = file('unnamed.csv', 'a, \t,c\n1,,3\n');
    expect((await readAll({ path: middle })).map((r) => r.data)).toEqual([{ a: '1', c: '3' }]);
  });

  it("finds the delimiter in the header when none is given, and says so when it is not the extension's", async () => {
    for (const [name, text, data, note] of [
      ['semicolon.csv', 'id;name;mrr\n1;Société;1.234,50\n', { id: '1', name: 'Société', mrr: '1.234,50' }, 'the delimiter is ";"'],
      ['tab.txt', 'id\tname\n1\ta, b\n', { id: '1', name: 'a, b' }, 'the delimiter is tab'],
      ['pipe.csv', 'id|name\n1|a;b\n', { id: '1', name: 'a;b' }, 'the delimiter is "|"'],
      ['comma.csv', 'id,"name;x"\n1,a\n', { id: '1', 'name;x': 'a' }, undefined],
      ['tabbed.tsv', 'id\tname,x\n1\ta\n', { id: '1', 'name,x': 'a' }, undefined],
      ['one-column.csv', '\n\nid\n1;2\n', { id: '1;2' }, undefined],
    ] as const) {
      const notes: string[] = [];
      const path = file(name, text);
      expect((await readAll({ path, onNote: (m) => notes.push(m) })).map((r) => r.data)).toEqual([data]);
      expect(notes).toEqual(note ? [`${path}: ${note}, found in the header (--delimiter to choose another)`] : []);
    }
    // Given, it is used as it is: the header's names are not looked at.
    expect((await readAll({ path: file('given.csv', 'id;name\n1;a\n'), delimiter: ',' })).map((r) => r.data)).toEqual([{ 'id;name': '1;a' }]);
  });

  it('takes the delimiter from a "sep=" line above the header, reads that line as no record, and counts it', async () => {
    const notes: string[] = [];
    const path = file('excel-sep.csv', '\uFEFFsep=;\r\nid;name\r\n1;a,b\r\n2;c\r\n');
    expect(summary(await readAll({ path, onNote: (m) => notes.push(m) }))).toEqual([
      { row: 1, line: 3, data: { id: '1', name: 'a,b' } },
      { row: 2, line: 4, data: { id: '2', name: 'c' } },
    ]);
    expect(notes).toEqual([`${path}: the delimiter is ";", named by the file's first line "sep=;" (read as no record)`]);
    // A --delimiter given wins, and the hint line is still no record.
    expect((await readAll({ path: file('sep-given.csv', 'sep=|\nid,name\n1,a\n'), delimiter: ',' })).map((r) => r.data)).toEqual([{ id: '1', name: 'a' }]);
    // A header that only starts like one is a header.
    expect((await readAll({ path: file('sep-column.csv', 'sep=;x,b\n1,2\n') })).map((r) => r.data)).toEqual([{ 'sep=;x': '1', b: '2' }]);
  });

  it('yields nothing for a header without rows', async () => {
    expect(await readAll({ path: file('header-only.csv', 'a,b,c\n') })).toEqual([]);
    expect(await readAll({ path: file('header-only-noeol.csv', 'a,b,c') })).toEqual([]);
  });

  it.each([
    [',,\n1,2,3\n', /line 1: the header names no column/],
    ['a,b, a\n1,2,3\n', /line 1: header column 3 \("a"\) repeats column 1/],
    ['\n\nid,name,id\n', /line 3: header column 3 \("id"\) repeats column 1/],
    ['"a"x,b\n', /header is malformed: line 1: unexpected "x" after the closing quote of field 1/],
    ['a,"b\nc\n1,2\n', /cannot read the header: unclosed quoted field starting at line 1, in field 2/],
  ])('rejects a bad header %j before any record', async (text, message) => {
    const path = file('bad-header.csv', text);
    const it = readRecords({ path });
    const err = await it.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('CSV_MALFORMED');
    expect((err as InputError).message).toMatch(message);
    expect((err as InputError).message).toContain(path);
  });

  it('keeps a "__proto__" column as an own property', async () => {
    const [rec] = await readAll({ path: file('proto.csv', '__proto__,a\nx,y\n') });
    expect(Object.getPrototypeOf(rec?.data)).toBe(Object.prototype);
    expect(Object.keys(rec?.data ?? {})).toEqual(['__proto__', 'a']);
    expect(rec?.data?.['__proto__']).toBe('x');
  });

  it('reads .tsv with a tab delimiter, and takes an explicit delimiter', async () => {
    const tsv = file('t.tsv', 'a\tb\n1,5\t"x\ty"\n');
    expect((await readAll({ path: tsv }))[0]?.data).toEqual({ a: '1,5', b: 'x\ty' });
    const semi = file('semi.csv', 'a;b\n1,5;2\n');
    expect((await readAll({ path: semi, delimiter: ';' }))[0]?.data).toEqual({ a: '1,5', b: '2' });
    const err = await readError({ path: semi, delimiter: '"' });
    expect(err.name).toBe('ConfigError');
  });
});

describe('malformed records', () => {
  it('fails a row with too many or too few fields alone; its neighbours keep their rows and lines', async () => {
    const path = file('count.csv', 'a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n11,12\n"x\ny",13,14\n');
    const recs = await readAll({ path });
    expect(summary(recs)).toEqual([
      { row: 1, line: 2, data: { a: '1', b: '2', c: '3' } },
      { row: 2, line: 3, error: 'line 3: expected 3 fields (the header has 3), found 4' },
      { row: 3, line: 4, data: { a: '8', b: '9', c: '10' } },
      { row: 4, line: 5, error: 'line 5: expected 3 fields (the header has 3), found 2' },
      { row: 5, line: 6, data: { a: 'x\ny', b: '13', c: '14' } },
    ]);
    expect(recs[1]?.error).toBeInstanceOf(RowError);
    expect(recs[1]?.error?.code).toBe('CSV_MALFORMED');
    expect(recs[1]?.raw).toBe('4,5,6,7');
    expect(recs[3]?.raw).toBe('11,12');
  });

  it('fails a row with a bare quote in an unquoted field and goes on', async () => {
    const path = file('bare.csv', 'a,b\n1,2\n3,5" tall\n4,5\n');
    const recs = await readAll({ path });
    expect(summary(recs)).toEqual([
      { row: 1, line: 2, data: { a: '1', b: '2' } },
      { row: 2, line: 3, error: expect.stringMatching(/^line 3: bare quote in unquoted field 2 \("b"\)/) },
      { row: 3, line: 4, data: { a: '4', b: '5' } },
    ]);
    expect(recs[1]?.raw).toBe('3,5" tall');
  });

  it('fails a row with text after a closing quote, naming the line of the quote', async () => {
    const path = file('after.csv', 'a,b\n1,"multi\nline"x\n"Big" Co,5\n6,7\n');
    const recs = await readAll({ path });
    expect(summary(recs)).toEqual([
      {
        row: 1,
        line: 2,
        error: expect.stringMatching(/^line 3: unexpected "x" after the closing quote of field 2 \("b"\), whose quote opened at line 2;/),
      },
      { row: 2, line: 4, error: expect.stringMatching(/^line 4: unexpected " " after the closing quote of field 1 \("a"\);/) },
      { row: 3, line: 5, data: { a: '6', b: '7' } },
    ]);
    expect(recs[0]?.raw).toBe('1,"multi\nline"x');
  });

  it('ends with a fatal record at an unclosed quote; the rows before it come through', async () => {
    const tail = Array.from({ length: 500 }, (_, i) => `${i},row ${i}`).join('\n');
    const path = file('unclosed.csv', `a,b\n1,2\n\n3,"never closed\n${tail}\n`);
    const recs = await readAll({ path });
    expect(recs).toHaveLength(2);
    expect(summary(recs)[0]).toEqual({ row: 1, line: 2, data: { a: '1', b: '2' } });
    const last = recs[1];
    expect(last?.fatal).toBe(true);
    expect(last?.row).toBe(2);
    expect(last?.line).toBe(4);
    expect(last?.error?.code).toBe('CSV_MALFORMED');
    expect(last?.error?.message).toMatch(/^unclosed quoted field starting at line 4, in field 2 \("b"\)/);
    expect(last?.raw?.startsWith('3,"never closed\n0,row 0\n')).toBe(true);
    expect(last?.raw?.length).toBeLessThanOrEqual(210);
  });

  it('stops with a fatal record when one record outgrows maxRecordBytes, instead of buffering the file', async () => {
    const tail = Array.from({ length: 2000 }, (_, i) => `${i},row ${i}`).join('\n');
    const path = file('huge.csv', `a,b\n1,2\n2,"opened at line 3\n${tail}\n`);
    const recs = await readAll({ path, maxRecordBytes: 1000 });
    expect(recs).toHaveLength(2);
    expect(recs[1]?.fatal).toBe(true);
    expect(recs[1]?.line).toBe(3);
    expect(recs[1]?.error?.message).toMatch(
      /^the record starting at line 3 is larger than 1000 bytes; the quoted field starting at line 3, in field 2 \("b"\), is probably never closed/,
    );
  });
});

describe('empty input', () => {
  it.each([
    ['zero bytes', ''],
    ['a BOM only', '\uFEFF'],
    ['blank lines and spaces', '\n  \r\n\t\n'],
  ])('throws INPUT_EMPTY for %s', async (_label, text) => {
    const path = file('empty.csv', text);
    const err = await readError({ path });
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('INPUT_EMPTY');
    expect(err.message).toBe(`${path} is empty: no header and no records`);
  });
});
