/**
 * A run's scratch space: a private temporary SQLite database (deleted when closed) for what grows with
 * the workspace or the input and is needed again later in the run, so memory stays flat however many
 * records there are. It holds the listing of the workspace that --compare vitally compares rows with
 * (each record by its key: its Vitally id and its normal form as JSON), and the rows --verify must find
 * in Vitally once the Analytics API has applied them. SQLite keeps a few MiB of it in memory and the
 * rest in a temporary file.
 */
import Database from 'better-sqlite3';
import { nativeProblem } from './failure.js';

/** A record of the listing: its Vitally id, its normal form (JSON), and whether Vitally holds its key twice. */
export interface Listed {
  id: string | null;
  record: string;
  twice: boolean;
}

/** A row waiting to be found in Vitally (--verify). */
export interface Pending {
  key: string;
  row: number;
  line: number | null;
  hash: string;
  /** What the row sent, as JSON (the comparison reads it). */
  sent: string;
  /** What the last check saw instead, in words (null before any check saw its record). */
  last: string | null;
}

/**
 * A run's scratch space; or, when better-sqlite3's compiled part cannot be loaded (an install that
 * blocked its script, a build for another Node.js), what to do about it.
 */
export function openScratch(): Scratch | { cannot: string } {
  try {
    return new Scratch();
  } catch (err) {
    const cannot = nativeProblem(err, {
      needs: 'A listing of the workspace (--compare vitally, --verify) is kept in a temporary SQLite database, which needs',
      without: 'Or send without one: --compare none (or --compare state), without --verify',
    });
    if (cannot === undefined) throw err;
    return { cannot };
  }
}

export class Scratch {
  private readonly db = new Database('');
  private readonly q;

  constructor() {
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.exec(`
      CREATE TABLE listed (key TEXT PRIMARY KEY, id TEXT, record TEXT NOT NULL, twice INTEGER NOT NULL DEFAULT 0, seen INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
      CREATE TABLE pending (key TEXT PRIMARY KEY, row INTEGER NOT NULL, line INTEGER, hash TEXT NOT NULL, sent TEXT NOT NULL, last TEXT) WITHOUT ROWID;`);
    this.q = {
      list: this.db.prepare(
        'INSERT INTO listed (key, id, record) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET twice = CASE WHEN listed.id IS excluded.id THEN listed.twice ELSE 1 END',
      ),
      get: this.db.prepare('SELECT id, record, twice FROM listed WHERE key = ?'),
      seen: this.db.prepare('UPDATE listed SET seen = 1 WHERE key = ?'),
      listedCount: this.db.prepare('SELECT COUNT(*) FROM listed').pluck(),
      unseenCount: this.db.prepare('SELECT COUNT(*) FROM listed WHERE seen = 0').pluck(),
      wait: this.db.prepare('INSERT OR REPLACE INTO pending (key, row, line, hash, sent) VALUES (?, ?, ?, ?, ?)'),
      found: this.db.prepare('DELETE FROM pending WHERE key = ?'),
      note: this.db.prepare('UPDATE pending SET last = ? WHERE key = ?'),
      pending: this.db.prepare('SELECT key, row, line, hash, sent, last FROM pending WHERE key = ?'),
      pendingAll: this.db.prepare('SELECT key, row, line, hash, sent, last FROM pending ORDER BY row'),
      pendingCount: this.db.prepare('SELECT COUNT(*) FROM pending').pluck(),
    };
  }

  /** Add one page of the listing (key, Vitally id, normal form as JSON), in one transaction. */
  list(records: Array<[key: string, id: string | null, record: string]>): void {
    this.db.transaction(() => {
      for (const [key, id, record] of records) this.q.list.run(key, id, record);
    })();
  }

  /** The record listed under this key, noting that the input holds the key. */
  listed(key: string): Listed | undefined {
    const row = this.q.get.get(key) as { id: string | null; record: string; twice: number } | undefined;
    if (!row) return undefined;
    this.q.seen.run(key);
    return { id: row.id, record: row.record, twice: row.twice === 1 };
  }

  /** Records listed, and how many of them no row of the input named. */
  listedCounts(): { listed: number; notInInput: number } {
    return { listed: Number(this.q.listedCount.get()), notInInput: Number(this.q.unseenCount.get()) };
  }

  /** A row to find in Vitally later. */
  wait(p: Omit<Pending, 'last'>): void {
    this.q.wait.run(p.key, p.row, p.line, p.hash, p.sent);
  }

  /** The row waiting under this key, if any. */
  waiting(key: string): Pending | undefined {
    return this.q.pending.get(key) as Pending | undefined;
  }

  /** The row was found: it waits no more. */
  landed(key: string): void {
    this.q.found.run(key);
  }

  /** What the last check saw of a waiting row's record instead of what it sent. */
  note(key: string, text: string): void {
    this.q.note.run(text, key);
  }

  /** The rows still waiting, in input order (read whole before the table is changed). */
  *stillWaiting(): Generator<Pending> {
    yield* this.q.pendingAll.iterate() as Iterable<Pending>;
  }

  get waitingCount(): number {
    return Number(this.q.pendingCount.get());
  }

  close(): void {
    this.db.close();
  }
}
