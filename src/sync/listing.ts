/**
 * Reading Vitally's lists: pages of `{results, next}` (100 records a request, `from=<next>`), or a bare
 * array for a list Vitally does not page. A list ends at a `next` that is null or missing, at an empty
 * page (Vitally may give the last page a `next` that leads to an empty one), at `atEnd: true`, or at a
 * `next` already read (a cursor that leads back to a page read before would read the list forever).
 *
 * `ListedIds` finds records by a field no look-up takes (a conversation's externalId): it reads the list
 * once a run, only as far as the values asked for need, and keeps what it has read.
 */
import type { Listing } from '../objects/index.js';
import { confirmsPage } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';
import { readRecord, valueOf } from './records.js';

/** One page of a list, read from `path` (whose own query is kept), continuing after `cursor`. */
async function readPage(sender: Sender, path: string, cursor: string | null): Promise<{ results: unknown[]; next: string | null }> {
  const q = cursor === null ? '' : `${path.includes('?') ? '&' : '?'}from=${encodeURIComponent(cursor)}`;
  const res = await sender.send({ method: 'GET', path: `${path}${q}` }, { confirm: confirmsPage });
  const j = res.json as unknown[] | { results: unknown[]; next?: unknown; atEnd?: unknown };
  if (Array.isArray(j)) return { results: j, next: null };
  const next = typeof j.next === 'string' && j.next !== '' && j.results.length > 0 && j.atEnd !== true && j.next !== cursor ? j.next : null;
  return { results: j.results, next };
}

/** The cursor to read next after the page read at `cursor`: none when `next` was read before (`read` keeps them). */
function onward(read: Set<string>, cursor: string | null, next: string | null): string | null {
  if (cursor !== null) read.add(cursor);
  return next !== null && read.has(next) ? null : next;
}

/** Every record of a list, page by page. */
export async function* listAll(sender: Sender, path: string): AsyncGenerator<unknown[]> {
  let cursor: string | null = null;
  const read = new Set<string>();
  do {
    const page = await readPage(sender, path, cursor);
    yield page.results;
    cursor = onward(read, cursor, page.next);
  } while (cursor !== null);
}

export class ListedIds {
  /** The Vitally id of each value read so far (the first record holding it). */
  private readonly ids = new Map<string, string>();
  private cursor: string | null = null;
  private readonly read = new Set<string>();
  private done = false;
  /** The page being read: rows asking at the same time wait for it together. */
  private reading: Promise<void> | null = null;
  /** Pages read (requests sent). */
  pages = 0;

  constructor(
    private readonly sender: Sender,
    private readonly listing: Listing,
  ) {}

  /** The Vitally id of the record whose field holds `value`, or null once the whole list was read without it. */
  async find(value: string): Promise<string | null> {
    for (;;) {
      const id = this.ids.get(value);
      if (id !== undefined) return id;
      if (this.done) return null;
      // A page that failed (after its retries) is read again by the next row that asks.
      this.reading ??= this.next().finally(() => (this.reading = null));
      await this.reading;
    }
  }

  private async next(): Promise<void> {
    // Sorted by creation: a record updated while the list is read keeps its place (by updatedAt it could be skipped).
    const path = `${this.listing.path}?limit=100&sortBy=createdAt`;
    const page = await readPage(this.sender, path, this.cursor);
    this.pages++;
    for (const r of page.results) {
      const rec = readRecord(r);
      const v = rec && valueOf(rec, this.listing.field);
      if (typeof v === 'string' && rec?.id && !this.ids.has(v)) this.ids.set(v, rec.id);
    }
    this.cursor = onward(this.read, this.cursor, page.next);
    if (this.cursor === null) this.done = true;
  }
}
