/** Choosing the format, opening the input, and stopping a read with an AbortSignal. */

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/errors.js';
import { assertReadable, detectFormat, readRecords } from '../../src/source/index.js';
import type { SourceRecord } from '../../src/types.js';
import { readError, tempFiles } from './helpers.js';

const tmp = tempFiles('input');
afterAll(() => tmp.cleanup());

describe('detectFormat', () => {
  it.each([
    ['accounts.csv', undefined, 'csv'],
    ['ACCOUNTS.CSV', undefined, 'csv'],
    ['export.tsv', undefined, 'csv'],
    ['export.txt', undefined, 'csv'],
    ['events.ndjson', undefined, 'ndjson'],
    ['events.jsonl', undefined, 'ndjson'],
    ['dir.v2/events.jsonl', undefined, 'ndjson'],
    ['events.json', 'ndjson', 'ndjson'],
    ['events.json', undefined, 'json'],
    ['data.csv.gz', undefined, 'csv'],
    ['DATA.NDJSON.GZ', undefined, 'ndjson'],
    ['accounts.ndjson', 'csv', 'csv'],
    ['-', 'csv', 'csv'],
    ['-', 'ndjson', 'ndjson'],
    ['accounts.parquet', undefined, 'parquet'],
    ['ACCOUNTS.PARQUET', undefined, 'parquet'],
    ['export.bin', 'parquet', 'parquet'],
    ['postgres://etl@db.internal/crm', undefined, 'postgres'],
    ['postgresql://db.internal:6543/crm?sslmode=require', 'postgres', 'postgres'],
  ] as const)('%s with --format %s is %s', (path, format, expected) => {
    expect(detectFormat(path, format)).toBe(expected);
  });

  it.each([
    ['-', undefined, /stdin.*--format csv, --format ndjson or --format json/],
    ['events.xml', undefined, /events\.xml.*"\.xml"\. vitally-sync reads CSV .*; if the file is one of these, pass --format csv, ndjson, json or parquet/],
    ['README', undefined, /without an extension.*pass --format/],
    ['data.parquet.gz', undefined, /is gzip-compressed, and its name does not say what it holds: name it \.csv\.gz, \.ndjson\.gz or \.json\.gz/],
    ['data.csv', 'xml', /--format "xml" is not known: use csv, ndjson, json or parquet/],
    ['-', 'parquet', /Parquet cannot be read from stdin/],
    ['postgres://db/crm', 'csv', /--format csv does not apply to a postgres:\/\/ URL/],
    ['data.csv', 'postgres', /--format postgres needs a postgres:\/\/ URL/],
    ['data.csv', 'CSV', /--format "CSV" is not known/],
  ] as const)('%s with --format %s is a ConfigError', (path, format, message) => {
    let err: unknown;
    try {
      detectFormat(path, format);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('CONFIG_INVALID');
    expect((err as ConfigError).message).toMatch(message);
  });

  it('a file without a known extension is told by its leading bytes when a reader claims them (Parquet: PAR1)', () => {
    expect(detectFormat(tmp.file('export-no-extension', Buffer.from('PAR1\u0000\u0000rest of the file')))).toBe('parquet');
    expect(() => detectFormat(tmp.file('notes-no-extension', 'id,name\n1,a\n'))).toThrow(/without an extension.*pass --format/);
  });

  it('readRecords raises the same ConfigError from its first next()', async () => {
    const err = await readError({ path: tmp.file('x.xml', '<x/>\n') });
    expect(err).toBeInstanceOf(ConfigError);
  });
});

describe('opening the input', () => {
  it('a missing file is INPUT_NOT_FOUND, from assertReadable and from the reader', async () => {
    const path = join(tmp.dir, 'nope.csv');
    const err = await assertReadable(path).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe('INPUT_NOT_FOUND');
    expect((err as InputError).message).toBe(`Input file not found: ${path}`);
    const fromReader = await readError({ path });
    expect(fromReader.code).toBe('INPUT_NOT_FOUND');
    expect(fromReader.message).toBe(`Input file not found: ${path}`);
  });

  it('a directory is INPUT_UNREADABLE', async () => {
    const path = join(tmp.dir, 'folder.csv');
    mkdirSync(path);
    await expect(assertReadable(path)).rejects.toMatchObject({ code: 'INPUT_UNREADABLE', message: expect.stringContaining('directory') });
    const err = await readError({ path });
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe('INPUT_UNREADABLE');
  });

  it('assertReadable passes a readable file and stdin', async () => {
    await expect(assertReadable(tmp.file('ok.csv', 'a\n1\n'))).resolves.toBeUndefined();
    await expect(assertReadable('-')).resolves.toBeUndefined();
  });
});

describe('stopping', () => {
  const rows = `id\n${Array.from({ length: 100 }, (_, i) => `${i + 1}`).join('\n')}\n`;

  it.each(['csv', 'ndjson'] as const)('an abort ends a %s file read cleanly after the current record', async (format) => {
    const text =
      format === 'csv'
        ? rows
        : rows
            .split('\n')
            .slice(1)
            .filter(Boolean)
            .map((id) => `{"id":"${id}"}`)
            .join('\n');
    const path = tmp.file(`stop.${format}`, text);
    const ac = new AbortController();
    const seen: SourceRecord[] = [];
    for await (const rec of readRecords({ path, signal: ac.signal })) {
      seen.push(rec);
      if (seen.length === 3) ac.abort();
    }
    expect(seen.map((r) => r.data?.['id'])).toEqual(['1', '2', '3']);
  });

  it.each(['csv', 'ndjson'] as const)('an abort while waiting on stdin (%s) ends the read without an error', async (format) => {
    const stdin = new PassThrough();
    // csv-parse holds a record until it has seen two bytes past its line end (a CRLF may be split).
    stdin.write(format === 'csv' ? 'id\n1\n2\n' : '{"id":"1"}\n');
    const ac = new AbortController();
    const it = readRecords({ path: '-', format, stdin, signal: ac.signal });
    const first = await it.next();
    expect(first.value?.data).toEqual({ id: '1' });
    const waiting = it.next();
    setImmediate(() => ac.abort());
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  });

  it('an already aborted signal reads nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const it = readRecords({ path: tmp.file('pre.csv', rows), signal: ac.signal });
    await expect(it.next()).resolves.toEqual({ done: true, value: undefined });
  });

  it.each(['csv', 'ndjson'] as const)('breaking out of a %s loop early closes the input', async (format) => {
    const stdin = new PassThrough();
    stdin.write(format === 'csv' ? 'id\n1\n2\n3\n' : '{"id":1}\n{"id":2}\n');
    const closed = new Promise((resolve) => stdin.once('close', resolve));
    for await (const rec of readRecords({ path: '-', format, stdin })) {
      expect(rec.row).toBe(1);
      break;
    }
    await closed;
    expect(stdin.destroyed).toBe(true);
  });
});
