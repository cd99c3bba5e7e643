/** The state store's SQL schema (docs/state.md shows it). Bump SCHEMA_VERSION with a migration. */
import type Database from 'better-sqlite3';

export const APP_ID = 'vitally-sync';
export const SCHEMA_VERSION = 2;

/**
 * What brings a file written with an older schema up to date: MIGRATIONS[n] turns schema n into n + 1.
 * Applied when the file is opened for writing; a read-only open (a dry run, `state show`) reads an older
 * file as it is (see `hasColumn`).
 */
export const MIGRATIONS: Record<number, string> = {
  // 2: rows the Analytics API accepted without confirming them (confirmed = 0), and values later runs reuse.
  1: `ALTER TABLE sent ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE sent ADD COLUMN kept TEXT;`,
};

/** The store holds this table (an empty file, a store made but never written, holds none). */
export function hasTable(db: Database.Database, table: string): boolean {
  return (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) as unknown) !== undefined;
}

/** Whether a table of the file has a column (a file of an older schema opened read-only may lack it). */
export function hasColumn(db: Database.Database, table: string, column: string): boolean {
  return (db.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(table, column) as unknown) !== undefined;
}

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- What was last sent successfully, per destination (REST base URL: host + tenant), object and key.
CREATE TABLE IF NOT EXISTS sent (
  destination TEXT NOT NULL,
  object      TEXT NOT NULL,
  key         TEXT NOT NULL,          -- externalId (append-only rows: their stable identity)
  hash        TEXT NOT NULL,          -- sha256 of what decides the requests: object, mode, match, mapped record, references
  vitally_id  TEXT,                   -- the id Vitally answered with, when it did
  source      TEXT NOT NULL,          -- the input it came from (for --delete-missing)
  sent_at     TEXT NOT NULL,          -- ISO 8601
  confirmed   INTEGER NOT NULL DEFAULT 1, -- 1: Vitally confirmed it (REST); 0: only accepted (Analytics API), not known to have landed
  kept        TEXT,                   -- JSON: values later runs reuse (a note's first noteDate; a user's links sent, as Vitally ids)
  PRIMARY KEY (destination, object, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sent_by_source ON sent (destination, object, source);

-- Rows sent but not yet confirmed. Left behind only by a run that was killed: those rows are in doubt.
CREATE TABLE IF NOT EXISTS journal (
  destination TEXT NOT NULL,
  object      TEXT NOT NULL,
  key         TEXT NOT NULL,
  hash        TEXT NOT NULL,
  run_id      INTEGER NOT NULL,
  started_at  TEXT NOT NULL,
  PRIMARY KEY (destination, object, key)
) WITHOUT ROWID;

-- User-to-account links sent through the Analytics API (which adds links but never removes them), so
-- --unlink-removed can send /unlink for a link that left the source.
CREATE TABLE IF NOT EXISTS links (
  destination TEXT NOT NULL,
  user_id     TEXT NOT NULL,          -- the user's externalId
  account_id  TEXT NOT NULL,          -- the account's externalId
  source      TEXT NOT NULL,
  sent_at     TEXT NOT NULL,
  PRIMARY KEY (destination, user_id, account_id)
) WITHOUT ROWID;

-- The customer's ids (and team members' emails) resolved to Vitally ids.
CREATE TABLE IF NOT EXISTS ids (
  destination TEXT NOT NULL,
  object      TEXT NOT NULL,          -- account, organization, user, admin
  external_id TEXT NOT NULL,
  vitally_id  TEXT NOT NULL,
  resolved_at TEXT NOT NULL,
  PRIMARY KEY (destination, object, external_id)
) WITHOUT ROWID;

-- One row per push run.
CREATE TABLE IF NOT EXISTS runs (
  id          INTEGER PRIMARY KEY,
  destination TEXT NOT NULL,
  object      TEXT NOT NULL,
  source      TEXT NOT NULL,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL,          -- running, done, interrupted, stopped
  summary     TEXT                    -- the run's summary as JSON
);

-- Cached copies of Vitally's answers that change rarely (the custom-trait catalogue).
CREATE TABLE IF NOT EXISTS cache (
  destination TEXT NOT NULL,
  name        TEXT NOT NULL,
  body        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL,
  PRIMARY KEY (destination, name)
) WITHOUT ROWID;
`;
