/**
 * The rejects file (--rejects): one NDJSON line per failed row, with what was read and why it failed. A
 * write error makes close() reject ("--rejects <path>: ENOSPC ..."); see NdjsonFile.
 */
import type { RowResult } from '../types.js';
import { NdjsonFile } from './ndjson-file.js';

export class RejectsWriter {
  private readonly file: NdjsonFile;
  count = 0;

  constructor(
    readonly path: string,
    private readonly redact: (s: string) => string,
  ) {
    this.file = new NdjsonFile('--rejects', path);
  }

  /** Resolves once the file is open; rejects with the fs error (its `code` says why). */
  async opened(): Promise<void> {
    await this.file.opened();
  }

  add(r: RowResult): void {
    if (r.status !== 'failed') return;
    this.count++;
    const line = { row: r.row, line: r.line, key: r.key, error: r.error, ...(r.source ? { record: r.source } : { raw: r.raw }) };
    this.file.writeLine(this.redact(JSON.stringify(line)));
  }

  async close(): Promise<void> {
    await this.file.close();
  }
}
