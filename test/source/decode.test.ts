/**
 * Inputs as they come: gzip-compressed, UTF-16 with a byte-order mark, in a legacy encoding named by
 * --encoding, or a spreadsheet that is no text at all. The binary files are made here, byte by byte.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { detectFormat } from '../../src/source/index.js';
import { chunks, readAll, readError, summary, tempFiles } from './helpers.js';

const tmp = tempFiles('decode');
const file = tmp.file;

/** "Société" as Windows-1252 writes it: é is the one byte 0xE9. */
const cp1252 = (text: string) => Buffer.from([...text].map((c) => c.charCodeAt(0)));

describe('gzip', () => {
  it('reads .csv.gz, .ndjson.gz and .json.gz as the files they hold, gzip members one after another too', async () => {
    const csv = file('accounts.csv.gz', Buffer.concat([gzipSync('id,name\n1,a\n'), gzipSync('2,b\n')]));
    expect(detectFormat(csv)).toBe('csv');
    expect(summary(await readAll({ path: csv }))).toEqual([
      { row: 1, line: 2, data: { id: '1', name: 'a' } },
      { row: 2, line: 3, data: { id: '2', name: 'b' } },
    ]);
    const ndjson = file('events.ndjson.gz', gzipSync('{"id":1}\n{"id":2}\n'));
    expect((await readAll({ path: ndjson })).map((r) => r.data)).toEqual([{ id: 1 }, { id: 2 }]);
    const json = file('users.json.gz', gzipSync('[{"id":"u1"}]'));
    expect((await readAll({ path: json })).map((r) => r.data)).toEqual([{ id: 'u1' }]);
    const tsv = file('export.tsv.gz', gzipSync('id\tname\n1\ta\n'));
    expect((await readAll({ path: tsv })).map((r) => r.data)).toEqual([{ id: '1', name: 'a' }]);
  });

  it('reads gzip bytes on stdin, whatever the format, even one byte at a time', async () => {
    const bytes = gzipSync('id,name\n1,a\n');
    const stdin = chunks(...[...bytes].map((b) => Buffer.from([b])));
    expect(summary(await readAll({ path: '-', format: 'csv', stdin }))).toEqual([{ row: 1, line: 2, data: { id: '1', name: 'a' } }]);
  });

  it('stops at damaged gzip data with the input named', async () => {
    const whole = gzipSync('id,name\n1,a\n');
    const damaged = Buffer.concat([whole.subarray(0, 12), Buffer.from('garbage that is no deflate data')]);
    const err = await readError({ path: file('damaged.csv.gz', damaged) });
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toMatch(/damaged\.csv\.gz: its gzip data is damaged \(.+\); reading stopped there/);
  });
});

describe('encodings', () => {
  it('reads UTF-16 by its byte-order mark, little- and big-endian, CSV and NDJSON', async () => {
    const le = file('le.csv', Buffer.from('\uFEFFid,name\r\n1,Société\r\n', 'utf16le'));
    expect(summary(await readAll({ path: le }))).toEqual([{ row: 1, line: 2, data: { id: '1', name: 'Société' } }]);
    const be = Buffer.from('\uFEFF{"name":"Zoë"}\n', 'utf16le').swap16();
    expect((await readAll({ path: file('be.ndjson', be) })).map((r) => r.data)).toEqual([{ name: 'Zoë' }]);
  });

  it('reads --encoding windows-1252 (and its aliases latin1, iso-8859-1); without it, stops at the line naming the option', async () => {
    const path = file('windows.csv', cp1252('id,name\r\n1,Acme\r\n2,Société\r\n'));
    for (const encoding of ['windows-1252', 'latin1', 'ISO-8859-1']) {
      expect((await readAll({ path, encoding })).map((r) => r.data)).toEqual([
        { id: '1', name: 'Acme' },
        { id: '2', name: 'Société' },
      ]);
    }
    const records: unknown[] = [];
    let error: Error | undefined;
    try {
      for await (const r of (await import('../../src/source/index.js')).readRecords({ path })) records.push(r.data);
    } catch (err) {
      error = err as Error;
    }
    // The row before the bad byte is read; the one holding it is not, and nothing is decoded to U+FFFD.
    expect(records).toEqual([{ id: '1', name: 'Acme' }]);
    expect(error).toBeInstanceOf(InputError);
    expect(error!.message).toContain('line 3, byte offset 23: 0xE9 is not valid UTF-8 there');
    expect(error!.message).toContain('--encoding windows-1252');
  });

  it('reads UTF-16 without a byte-order mark with --encoding utf-16le, and a UTF-8 byte-order mark whatever --encoding says', async () => {
    const path = file('nobom.csv', Buffer.from('id,name\n1,Zoë\n', 'utf16le'));
    expect((await readAll({ path, encoding: 'utf-16le' })).map((r) => r.data)).toEqual([{ id: '1', name: 'Zoë' }]);
    const utf8 = file('bom.csv', '\uFEFFid,name\n1,Zoë\n');
    expect((await readAll({ path: utf8, encoding: 'windows-1252' })).map((r) => r.data)).toEqual([{ id: '1', name: 'Zoë' }]);
  });

  it('refuses UTF-8 text named windows-1252 or latin1, which would read every accent as two characters', async () => {
    const path = file('utf8.csv', 'id,name\n1,Acme\n2,Société\n');
    for (const encoding of ['windows-1252', 'latin1', 'iso-8859-15']) {
      const err = await readError({ path, encoding });
      expect(err).toBeInstanceOf(InputError);
      expect(err.message).toMatch(
        /^.*utf8\.csv is UTF-8 text, not (windows-1252|iso-8859-15): its bytes above ASCII all form UTF-8 characters \("é", which \S+ would read as "Ã©"\)\. Leave out --encoding/,
      );
    }
    // A stream one byte a chunk: a character cut between chunks is told as well.
    const stdin = chunks(...[...Buffer.from('id,name\n2,Société\n')].map((b) => Buffer.from([b])));
    expect((await readError({ path: '-', format: 'csv', encoding: 'windows-1252', stdin })).message).toContain('is UTF-8 text, not windows-1252');
    // Text that is in the encoding (é alone, 0xE9) reads as it is; so does UTF-16 and an ASCII file.
    expect((await readAll({ path: file('cp.csv', cp1252('id,name\n1,Société\n')), encoding: 'windows-1252' }))[0]?.data).toEqual({ id: '1', name: 'Société' });
    expect((await readAll({ path: file('ascii.csv', 'id,name\n1,Acme\n'), encoding: 'windows-1252' }))[0]?.data).toEqual({ id: '1', name: 'Acme' });
  });
});

describe('spreadsheets and other files that are no text', () => {
  /** The leading bytes of an .xlsx (a ZIP archive) and of an .xls (an OLE compound file). */
  const XLSX = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00]);
  const XLS = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0x00, 0x00]);

  it('refuses a workbook by its name or its bytes, naming what is read', () => {
    for (const [name, bytes] of [
      ['book.xlsx', XLSX],
      ['book.xls', XLS],
      ['export', XLSX],
    ] as const) {
      const path = file(name, bytes);
      expect(() => detectFormat(path)).toThrow(ConfigError);
      expect(() => detectFormat(path)).toThrow(/not a text export: save the sheet as CSV \(in Excel: File > Save As > "CSV UTF-8 \(Comma delimited\)"\)/);
      expect(() => detectFormat(path)).toThrow(
        /vitally-sync reads CSV \(\.csv, \.tsv, \.txt\), NDJSON \(\.ndjson, \.jsonl\), JSON \(\.json\) or Parquet \(\.parquet\) files/,
      );
    }
    expect(() => detectFormat(file('book.numbers', 'x'))).toThrow(/book\.numbers is a spreadsheet workbook \(\.numbers\), not a text export/);
  });

  it('refuses a workbook read as CSV (--format csv, or a misnamed file) before any record', async () => {
    const err = await readError({ path: file('really-a-workbook.csv', XLSX) });
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain(
      'really-a-workbook.csv is a ZIP archive: an Excel workbook (.xlsx), an OpenDocument sheet (.ods) or a .zip, not a text export',
    );
  });

  it('says what is read for a file it cannot place, gzip whose name tells nothing included', () => {
    expect(() => detectFormat(file('data.xml', '<a/>'))).toThrow(
      /Cannot tell the format of .*data\.xml from the extension "\.xml"\. vitally-sync reads .*; if the file is one of these, pass --format csv, ndjson, json or parquet/,
    );
    expect(() => detectFormat(file('data.gz', gzipSync('x')))).toThrow(
      /data\.gz is gzip-compressed, and its name does not say what it holds: name it \.csv\.gz, \.ndjson\.gz or \.json\.gz/,
    );
  });
});
