/**
 * Files in the forms data teams hand over: Windows-1252 and UTF-16 exports, gzip, JSON arrays, and the
 * workbook someone sends instead of a CSV. Binary files are made in the test, byte by byte; each is
 * pushed through the CLI, and what the sandbox received is checked.
 */
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/index.js';
import { errorOf, rows, runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));

/** Text as Windows-1252 bytes (Excel's "CSV (Comma delimited)" on a Western European Windows). */
const cp1252 = (text: string) => Buffer.from([...text].map((c) => c.charCodeAt(0)));
const names = () =>
  sb.store
    .all('accounts')
    .map((a) => a.name)
    .sort();

describe('encodings', () => {
  it('a Windows-1252 export is refused whole without --encoding, with its line and the option to give: nothing is sent', async () => {
    const file = writeTemp(dir, 'windows.csv', cp1252('externalId,name\r\nacme,Acme\r\nsoc,Société Générale\r\n'));
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not UTF-8 text: line 3, byte offset 36: 0xE9 is not valid UTF-8 there');
    expect(r.stderr).toContain('--encoding windows-1252');
    // The file is read once before the run: refused whole, so not even the row before the bad byte went.
    expect(rows(r)).toEqual([]);
    expect(sb.requests).toHaveLength(0);
  });

  it('--encoding windows-1252 sends the names as they were written', async () => {
    const file = writeTemp(dir, 'windows.csv', cp1252('externalId,name\r\nacme,Acme\r\nsoc,Société Générale\r\n'));
    const r = await runCli(['push', file, '--object', 'account', '--encoding', 'windows-1252'], { env });
    expect(r.code).toBe(0);
    expect(names()).toEqual(['Acme', 'Société Générale']);
  });

  it('a UTF-8 file pushed with --encoding windows-1252 is refused whole, not sent as "SociÃ©tÃ©"', async () => {
    const file = writeTemp(dir, 'utf8.csv', 'externalId,name\r\nacme,Acme\r\nsoc,Société Générale\r\n');
    const r = await runCli(['push', file, '--object', 'account', '--encoding', 'windows-1252', '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'INPUT_UNREADABLE', exitCode: 2 });
    expect(errorOf(r)?.message).toContain('is UTF-8 text, not windows-1252');
    expect(rows(r)).toEqual([]);
    expect(sb.requests).toHaveLength(0);
  });

  it('a UTF-16 export with its byte-order mark needs no option', async () => {
    const file = writeTemp(dir, 'unicode.csv', Buffer.from('\uFEFFexternalId,name\r\nzoe,Zoë & Cie\r\n', 'utf16le'));
    expect((await runCli(['push', file, '--object', 'account'], { env })).code).toBe(0);
    expect(names()).toEqual(['Zoë & Cie']);
  });

  it.each([
    { name: 'unicode.csv', text: 'externalId,name\r\nzoe,Zoë & Cie\r\n', encoding: 'utf-16le' },
    { name: 'unicode.ndjson', text: '{"externalId":"zoe","name":"Zoe"}\n', encoding: 'utf-16le' },
    { name: 'unicode.json', text: '[{"externalId":"zoe","name":"Zoe"}]', encoding: 'utf-16be' },
  ])('$name in UTF-16 without a byte-order mark is refused whole, naming --encoding $encoding, and goes with it', async ({ name, text, encoding }) => {
    const le = Buffer.from(text, 'utf16le');
    const file = writeTemp(dir, name, encoding === 'utf-16le' ? le : le.swap16());
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(2);
    expect(errorOf(r)).toMatchObject({ code: 'INPUT_UNREADABLE', exitCode: 2 });
    expect(errorOf(r)?.message).toBe(
      `${file} is not UTF-8 text: it starts with NUL bytes between its characters, as UTF-16 text without a byte-order mark does. ` +
        `The file was read whole before the run: nothing was sent. Name the encoding it was saved in: --encoding ${encoding}`,
    );
    expect(rows(r)).toEqual([]);
    expect(sb.requests).toHaveLength(0);
    expect((await runCli(['push', file, '--object', 'account', '--encoding', encoding], { env })).code).toBe(0);
    expect(sb.store.get('accounts', 'zoe')).toBeDefined();
  });

  it('an unknown encoding, or one given for Parquet, is refused before anything is read', async () => {
    const csv = writeTemp(dir, 'a.csv', 'externalId,name\na,A\n');
    const bogus = await runCli(['push', csv, '--object', 'account', '--encoding', 'klingon'], { env });
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('--encoding "klingon" is not an encoding TextDecoder knows: use a WHATWG label such as utf-8, windows-1252');
    const parquet = await runCli(['push', 'fixtures/accounts.parquet', '--object', 'account', '--encoding', 'latin1'], { env });
    expect(parquet.code).toBe(2);
    expect(parquet.stderr).toContain('--encoding is for CSV, NDJSON or JSON input, not Parquet');
    expect(sb.requests).toHaveLength(0);
  });
});

describe('gzip and JSON', () => {
  it('pushes accounts.csv.gz, and gzip bytes piped to stdin', async () => {
    const file = writeTemp(dir, 'accounts.csv.gz', gzipSync('externalId,name\nacme,Acme\n'));
    expect((await runCli(['push', file, '--object', 'account'], { env })).code).toBe(0);
    const piped = await runCli(['push', '-', '--format', 'csv', '--object', 'account'], {
      env,
      stdin: Readable.from([gzipSync('externalId,name\nglobex,Globex\n')]),
    });
    expect(piped.code).toBe(0);
    expect(names()).toEqual(['Acme', 'Globex']);
  });

  it('pushes a JSON array of objects, each element a row with its line', async () => {
    const file = writeTemp(dir, 'accounts.json', '[\n  {"externalId": "acme", "name": "Acme", "mrr": 1200},\n  {"externalId": "bad"}\n]\n');
    const r = await runCli(['push', file, '--object', 'account', '--json'], { env });
    expect(r.code).toBe(1);
    expect(rows(r).map((x) => [x.row, x.line, x.key, x.status])).toEqual([
      [1, 2, 'acme', 'ok'],
      [2, 3, 'bad', 'failed'],
    ]);
    expect(sb.store.get('accounts', 'acme')).toMatchObject({ name: 'Acme', traits: { mrr: 1200 } });
    expect(summaryOf(r)).toMatchObject({ rows: 2, ok: 1, failed: 1 });
  });
});

describe('a workbook in place of a CSV', () => {
  it('accounts.xlsx is refused before anything is sent, naming what is read and how to export it', async () => {
    // The first bytes of an .xlsx: a ZIP archive.
    const file = writeTemp(dir, 'accounts.xlsx', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00]));
    const r = await runCli(['push', file, '--object', 'account'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is a ZIP archive: an Excel workbook (.xlsx), an OpenDocument sheet (.ods) or a .zip, not a text export');
    expect(r.stderr).toContain('save the sheet as CSV');
    expect(r.stderr).toContain('vitally-sync reads CSV (.csv, .tsv, .txt), NDJSON (.ndjson, .jsonl), JSON (.json) or Parquet (.parquet) files');
    expect(r.stderr).not.toContain('--format csv');
    expect(sb.requests).toHaveLength(0);
  });
});

describe('compressed otherwise than gzip', () => {
  // The leading bytes of each format, then bytes no text export holds.
  const junk = Buffer.from([0x00, 0x9c, 0xe3, 0x02, 0xff, 0x10]);
  it.each([
    { form: 'bzip2', head: Buffer.from('BZh91AY&SY', 'latin1'), tool: 'bzip2 -dc' },
    { form: 'xz', head: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: 'xz -dc' },
    { form: 'zstd', head: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: 'zstd -dc' },
  ])('$form data, named .csv or piped to stdin, is refused naming its compression, not an encoding', async ({ form, head, tool }) => {
    const bytes = Buffer.concat([head, junk]);
    const file = writeTemp(dir, `accounts-${form}.csv`, bytes);
    const message = (label: string, input: string) =>
      `vitally-sync: ${label} is ${form}-compressed: only gzip is read. Decompress it first (${tool} ${input} | vitally-sync push - --format csv ...), or compress it with gzip\n`;
    const named = await runCli(['push', file, '--object', 'account'], { env });
    expect(named.code).toBe(2);
    expect(named.stderr).toBe(message(file, file));
    const piped = await runCli(['push', '-', '--format', 'csv', '--object', 'account'], { env, stdin: Readable.from([bytes]) });
    expect(piped.code).toBe(2);
    expect(piped.stderr).toBe(message('stdin', '<file>'));
    expect(sb.requests).toHaveLength(0);
  });
});
