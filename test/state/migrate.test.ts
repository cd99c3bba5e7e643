import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { RunState } from '../../src/state/run-state.js';
import { hasColumn, SCHEMA, SCHEMA_VERSION } from '../../src/state/schema.js';
import { openStore } from '../../src/state/store.js';
import { tempDir } from '../helpers/cli.js';

/** A state file as the first schema wrote it: today's tables, but `sent` without `confirmed` and `kept`. */
function schemaOneFile(): string {
  const path = join(tempDir(), 'v1.db');
  const db = new Database(path);
  const one = SCHEMA.split('\n')
    .filter((l) => !/^\s+(confirmed|kept)\s/.test(l))
    .join('\n');
  expect(one).not.toMatch(/^\s+(confirmed|kept)\s/m);
  db.exec(one);
  db.exec(`INSERT INTO meta VALUES ('app', 'vitally-sync'), ('schema_version', '1');
    INSERT INTO sent VALUES ('d', 'account', 'acme', 'h1', 'id-1', '/a.csv', '2026-01-01T00:00:00.000Z');`);
  db.close();
  return path;
}

const view = (db: Database.Database, readOnly: boolean) => new RunState(db, { destination: 'd', object: 'account', source: '/a.csv', readOnly });

describe('a state file of the first schema', () => {
  it('is read as it is by a read-only open (a dry run): what it holds was confirmed', () => {
    const db = openStore(schemaOneFile(), { readonly: true });
    try {
      expect(hasColumn(db, 'sent', 'confirmed')).toBe(false);
      const state = view(db, true);
      expect(state.lastSent('acme')).toEqual({ hash: 'h1', vitallyId: 'id-1', source: '/a.csv', confirmed: true });
      expect(state.kept('acme')).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('is brought up to date by the first open that may write, keeping what it held', () => {
    const path = schemaOneFile();
    const db = openStore(path);
    try {
      expect(db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
      const state = view(db, false);
      expect(state.lastSent('acme')).toEqual({ hash: 'h1', vitallyId: 'id-1', source: '/a.csv', confirmed: true });
      // The new columns work: accepted rows apart from confirmed ones, and values kept for later runs.
      state.accept('globex', 'h2');
      state.confirm('acme', 'h3', null, { defaults: { noteDate: '2026-01-02T00:00:00.000Z' } });
      expect(state.lastSent('globex')).toMatchObject({ hash: 'h2', confirmed: false, vitallyId: null });
      expect(state.lastSent('acme')).toMatchObject({ hash: 'h3', vitallyId: 'id-1', confirmed: true });
      state.confirm('acme', 'h4', null, { links: { accountIds: ['a-1'] } });
      expect(state.kept('acme')).toEqual({ defaults: { noteDate: '2026-01-02T00:00:00.000Z' }, links: { accountIds: ['a-1'] } });
      // A success that did not apply all it asked is kept with no hash to match: the next run sends it again.
      state.confirm('acme', null, null);
      expect(state.lastSent('acme')!.hash).toBe('');
    } finally {
      db.close();
    }
    // Opening again changes nothing more.
    openStore(path).close();
  });
});
