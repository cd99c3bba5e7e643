/**
 * One run's view of the state store: for a destination (REST base URL), an object type and a source.
 * Success is recorded only after Vitally confirmed it; a row is journalled before it is sent, so a
 * killed run leaves behind exactly the rows whose outcome is unknown.
 *
 * A store that fails mid-run (a full disk, another program holding it locked) does not throw into the
 * run: the first failure is kept in `failure`, and from then on nothing more is written or read. `begin`
 * answers false, so no other row is sent, and the run stops with its summary. A row sent before the
 * failure and not confirmed since keeps its journal entry: it is in doubt, and the next run checks it.
 */
import type { IdCache, Summary } from '../types.js';
import type { StateError } from '../errors.js';
import { storeFailure } from './failure.js';
import { hasColumn } from './schema.js';
import type { DB } from './store.js';

export interface LastSent {
  hash: string;
  vitallyId: string | null;
  /** The input it was last sent from. */
  source: string;
  /** Vitally confirmed it (REST); false: only accepted (the Analytics API answers for no message). */
  confirmed: boolean;
}

/** Values later runs reuse, kept per record: a note's first noteDate, a user's links sent. */
export type Kept = Record<string, unknown>;

export interface RunStateOptions {
  destination: string;
  object: string;
  source: string;
  /** --full: ignore what was sent before (and cached ids), send everything, refresh the store. */
  full?: boolean;
  /** A dry run reads the store but never writes it. */
  readOnly?: boolean;
}

export class RunState implements IdCache {
  readonly runId: number;
  /** Records the store held as synced from this source when the run began (--delete-missing can delete only among them). */
  readonly earlier: number;
  /** The store's first failure this run (then nothing more is written or read): the run must stop. */
  failure: StateError | undefined;
  private readonly q;
  private readonly now = () => new Date().toISOString();

  constructor(
    private readonly db: DB,
    private readonly o: RunStateOptions,
  ) {
    const { destination: d, object: ob } = o;
    try {
      // The keys read this run (for --delete-missing): a temporary table keeps memory flat on large files.
      db.exec(`CREATE TEMP TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.seen;
        CREATE TEMP TABLE IF NOT EXISTS seen_links (user_id TEXT, account_id TEXT, PRIMARY KEY (user_id, account_id)) WITHOUT ROWID;
        DELETE FROM temp.seen_links;
        CREATE TEMP TABLE IF NOT EXISTS link_users (user_id TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.link_users;`);
      // A file of an older schema opened read-only (a dry run) has not been brought up to date: read what it has.
      const current = hasColumn(db, 'sent', 'confirmed');
      this.q = {
        last: db.prepare(
          `SELECT hash, vitally_id AS vitallyId, source, ${current ? 'confirmed' : '1 AS confirmed'} FROM sent WHERE destination = ? AND object = ? AND key = ?`,
        ),
        kept: db.prepare(`SELECT ${current ? 'kept' : 'NULL'} FROM sent WHERE destination = ? AND object = ? AND key = ?`).pluck(),
        move: db.prepare('UPDATE sent SET source = ? WHERE destination = ? AND object = ? AND key = ?'),
        doubt: db.prepare('SELECT run_id FROM journal WHERE destination = ? AND object = ? AND key = ? AND run_id <> ?').pluck(),
        begin: db.prepare('INSERT OR REPLACE INTO journal (destination, object, key, hash, run_id, started_at) VALUES (?, ?, ?, ?, ?, ?)'),
        end: db.prepare('DELETE FROM journal WHERE destination = ? AND object = ? AND key = ?'),
        // Only a store that may be written records: its schema is up to date.
        confirm: current
          ? db.prepare(
              `INSERT INTO sent (destination, object, key, hash, vitally_id, source, sent_at, confirmed, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (destination, object, key) DO UPDATE SET hash = excluded.hash,
                 vitally_id = COALESCE(excluded.vitally_id, sent.vitally_id), source = excluded.source, sent_at = excluded.sent_at,
                 confirmed = excluded.confirmed, kept = excluded.kept`,
            )
          : undefined,
        forget: db.prepare('DELETE FROM sent WHERE destination = ? AND object = ? AND key = ?'),
        any: db.prepare('SELECT 1 FROM sent WHERE destination = ? AND object = ? LIMIT 1').pluck(),
        seen: db.prepare('INSERT OR IGNORE INTO temp.seen (key) VALUES (?)'),
        fromSource: db.prepare('SELECT COUNT(*) FROM sent WHERE destination = ? AND object = ? AND source = ?').pluck(),
        missing: db.prepare(
          `SELECT key, vitally_id AS vitallyId FROM sent WHERE destination = ? AND object = ? AND source = ?
           AND key NOT IN (SELECT key FROM temp.seen) ORDER BY key`,
        ),
        linkSeen: db.prepare('INSERT OR IGNORE INTO temp.seen_links (user_id, account_id) VALUES (?, ?)'),
        linkUser: db.prepare('INSERT OR IGNORE INTO temp.link_users (user_id) VALUES (?)'),
        linkMove: db.prepare('UPDATE links SET source = ? WHERE destination = ? AND user_id = ? AND source <> ?'),
        linkSent: db.prepare('INSERT OR REPLACE INTO links (destination, user_id, account_id, source, sent_at) VALUES (?, ?, ?, ?, ?)'),
        linkForget: db.prepare('DELETE FROM links WHERE destination = ? AND user_id = ? AND account_id = ?'),
        linksRemoved: db.prepare(
          `SELECT l.user_id AS userId, l.account_id AS accountId FROM links l JOIN temp.link_users u ON u.user_id = l.user_id
           WHERE l.destination = ? AND l.source = ? AND NOT EXISTS (SELECT 1 FROM temp.seen_links x WHERE x.user_id = l.user_id AND x.account_id = l.account_id)
           ORDER BY l.user_id, l.account_id`,
        ),
        idGet: db.prepare('SELECT vitally_id FROM ids WHERE destination = ? AND object = ? AND external_id = ?').pluck(),
        idSet: db.prepare('INSERT OR REPLACE INTO ids (destination, object, external_id, vitally_id, resolved_at) VALUES (?, ?, ?, ?, ?)'),
      };
      this.earlier = Number(this.q.fromSource.get(d, ob, o.source));
      this.runId = o.readOnly
        ? 0
        : Number(
            db.prepare("INSERT INTO runs (destination, object, source, started_at, status) VALUES (?, ?, ?, ?, 'running')").run(d, ob, o.source, this.now())
              .lastInsertRowid,
          );
    } catch (err) {
      // Before the first row: the run does not start.
      throw storeFailure(err, db.name, 'starting the run');
    }
  }

  /**
   * Run one store operation; on its failure, keep the failure and answer `fallback`. Once the store
   * has failed, no operation runs any more.
   */
  private guard<T>(doing: string, fallback: T, op: () => T): T {
    if (this.failure) return fallback;
    try {
      return op();
    } catch (err) {
      const f = storeFailure(err, this.db.name, doing);
      f.message +=
        '. The run stopped there: no row was started after it; the rows sent but not recorded stay in doubt, and the next run checks them before sending them again';
      this.failure = f;
      return fallback;
    }
  }

  /** The name the store keeps this input's records under: a file's path, `scope:<name>`, `stdin`. */
  get source(): string {
    return this.o.source;
  }

  get full(): boolean {
    return Boolean(this.o.full);
  }

  /** What was last sent successfully for this key (undefined with --full). Reads only. */
  lastSent(key: string): LastSent | undefined {
    if (this.o.full) return undefined;
    return this.guard('reading what was sent', undefined, () => {
      const row = this.q.last.get(this.o.destination, this.o.object, key) as (Omit<LastSent, 'confirmed'> & { confirmed: number }) | undefined;
      return row && { ...row, confirmed: row.confirmed === 1 };
    });
  }

  /**
   * The record `last` says was sent is in this input now: a record that moved to another file is no
   * longer "missing" from the old one (--delete-missing). Writes unless the store is read-only.
   */
  claim(key: string, last: LastSent): void {
    if (last.source !== this.o.source && !this.o.readOnly) {
      this.guard('noting a record that moved between inputs', undefined, () => this.q.move.run(this.o.source, this.o.destination, this.o.object, key));
    }
  }

  /** A row an earlier run sent without learning the outcome (it was killed). */
  inDoubt(key: string): boolean {
    return this.guard('reading the journal', true, () => this.q.doubt.get(this.o.destination, this.o.object, key, this.runId) !== undefined);
  }

  /** The row's key was in this run's input (whatever became of the row). */
  seen(key: string): void {
    this.guard('noting the keys read', undefined, () => this.q.seen.run(key));
  }

  /**
   * Journal the row before it is sent. False when the store cannot record it (it failed now or
   * before): the row must not be sent.
   */
  begin(key: string, hash: string): boolean {
    if (this.o.readOnly) return true;
    return this.guard('journalling a row before sending it', false, () => {
      this.q.begin.run(this.o.destination, this.o.object, key, hash, this.runId, this.now());
      return true;
    });
  }

  /**
   * The values kept for this key by earlier runs (read with --full too: a note keeps the date it was
   * first sent with), or undefined.
   */
  kept(key: string): Kept | undefined {
    const text = this.guard(
      'reading the values kept for a record',
      undefined,
      () => this.q.kept.get(this.o.destination, this.o.object, key) as string | null | undefined,
    );
    if (!text) return undefined;
    try {
      const v = JSON.parse(text) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) ? (v as Kept) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Vitally confirmed the row: remember it (with the values later runs reuse, added to those kept before)
   * and close its journal entry, in one transaction. `hash` null: what landed is not all the row asked
   * (a name Vitally kept), so the next run sends the row again.
   */
  confirm = (key: string, hash: string | null, vitallyId: string | null, kept?: Kept): void => {
    this.record('recording a row Vitally confirmed', key, hash, vitallyId, true, kept);
  };

  /**
   * The Analytics API accepted the row without confirming anything about it (it may still drop it): kept
   * apart from confirmed rows, so a later check can find what did not land. `hash` null: no run skips it
   * as unchanged (--verify records the hash once it finds the row in Vitally).
   */
  accept(key: string, hash: string | null, kept?: Kept): void {
    this.record('recording a row the Analytics API accepted', key, hash, null, false, kept);
  }

  /**
   * The Analytics API accepted the row, but it was not found in Vitally (--verify): kept unconfirmed, with
   * no hash a row can have, so the next run sends it again instead of skipping it as unchanged.
   */
  notLanded(key: string): void {
    this.record('recording a row not found in Vitally', key, null, null, false, undefined);
  }

  /** Whether the store holds any record of this object type at this destination (read with --full too). */
  knowsAny(): boolean {
    return this.guard('reading what was sent', false, () => this.q.any.get(this.o.destination, this.o.object) !== undefined);
  }

  private record(doing: string, key: string, hash: string | null, vitallyId: string | null, confirmed: boolean, kept: Kept | undefined): void {
    if (this.o.readOnly) return;
    this.guard(doing, undefined, () =>
      this.db.transaction(() => {
        const all = kept ? { ...this.kept(key), ...kept } : this.kept(key);
        const { destination: d, object: ob } = this.o;
        this.q.confirm!.run(d, ob, key, hash ?? '', vitallyId, this.o.source, this.now(), confirmed ? 1 : 0, all ? JSON.stringify(all) : null);
        this.q.end.run(d, ob, key);
      })(),
    );
  }

  /** The row failed with a known outcome (nothing was applied): it is no longer in doubt. */
  abandon(key: string): void {
    if (!this.o.readOnly) this.guard('closing the journal entry of a failed row', undefined, () => this.q.end.run(this.o.destination, this.o.object, key));
  }

  /** Records synced earlier from this source that were not in this run's input. */
  missing(): Array<{ key: string; vitallyId: string | null }> {
    return this.guard(
      'listing the records that left the input',
      [],
      () => this.q.missing.all(this.o.destination, this.o.object, this.o.source) as Array<{ key: string; vitallyId: string | null }>,
    );
  }

  /** How many records synced earlier from this source the store holds (those of this input among them). */
  fromSource(): number {
    return this.guard('counting the records of the input', 0, () => Number(this.q.fromSource.get(this.o.destination, this.o.object, this.o.source)));
  }

  forget(key: string): void {
    if (!this.o.readOnly) this.guard('forgetting a deleted record', undefined, () => this.q.forget.run(this.o.destination, this.o.object, key));
  }

  /** A user's row was read with its account links (only such users can lose a link). */
  linksRead(userId: string, accountIds: string[]): void {
    this.guard('noting the links read', undefined, () => {
      this.q.linkUser.run(userId);
      // The user is in this input now: its links follow it (a renamed or dated export file keeps them).
      if (!this.o.readOnly) this.q.linkMove.run(this.o.source, this.o.destination, userId, this.o.source);
      for (const a of accountIds) this.q.linkSeen.run(userId, a);
    });
  }

  /** Vitally accepted these links for the user. */
  linksSent(userId: string, accountIds: string[]): void {
    if (this.o.readOnly) return;
    this.guard('recording links Vitally accepted', undefined, () => {
      for (const a of accountIds) this.q.linkSent.run(this.o.destination, userId, a, this.o.source, this.now());
    });
  }

  /** Links sent before for users in this input whose rows no longer name the account. */
  removedLinks(): Array<{ userId: string; accountId: string }> {
    return this.guard(
      'listing removed links',
      [],
      () => this.q.linksRemoved.all(this.o.destination, this.o.source) as Array<{ userId: string; accountId: string }>,
    );
  }

  forgetLink(userId: string, accountId: string): void {
    if (!this.o.readOnly) this.guard('forgetting an unlinked account', undefined, () => this.q.linkForget.run(this.o.destination, userId, accountId));
  }

  get(object: string, externalId: string): string | undefined {
    if (this.o.full) return undefined;
    return this.guard('reading a resolved id', undefined, () => (this.q.idGet.get(this.o.destination, object, externalId) as string | undefined) ?? undefined);
  }

  set(object: string, externalId: string, id: string): void {
    if (!this.o.readOnly) this.guard('recording a resolved id', undefined, () => this.q.idSet.run(this.o.destination, object, externalId, id, this.now()));
  }

  /** Record how the run ended; tried even after a failure, and never throws (the summary matters more). */
  finish(status: 'done' | 'interrupted' | 'stopped', summary: Summary): void {
    if (this.o.readOnly) return;
    try {
      this.db.prepare('UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE id = ?').run(this.now(), status, JSON.stringify(summary), this.runId);
    } catch {
      // The store failed (and said so) or fails now: the run's own outcome is reported all the same.
    }
  }
}
