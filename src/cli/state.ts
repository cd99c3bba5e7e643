/** `vitally-sync state show|reset|forget`: look into and clear the state store. */
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_STATE_PATH } from '../config/push.js';
import { ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { getObject, isObjectName, objectNames } from '../objects/index.js';
import { lockPathOf } from '../state/lock.js';
import { hasColumn, hasTable } from '../state/schema.js';
import { closeStore, openStore } from '../state/store.js';
import type { CliIO } from './io.js';

export interface StateFlags {
  state?: string;
  json?: boolean;
  destination?: string;
  yes?: boolean;
}

const pathOf = (flags: StateFlags) => resolve(flags.state ?? DEFAULT_STATE_PATH);

export async function stateShow(flags: StateFlags, io: CliIO): Promise<number> {
  const path = pathOf(flags);
  const db = openStore(path, { readonly: true });
  try {
    // An empty file (a store made, never written) has no tables yet: nothing was synced with it.
    const written = hasTable(db, 'sent');
    // Rows the Analytics API accepted are counted apart: nothing confirmed they landed (a file of an
    // older schema has none).
    const accepted = hasColumn(db, 'sent', 'confirmed') ? 'SUM(s.confirmed = 0)' : '0';
    const objects = !written
      ? []
      : (db
          .prepare(
            `SELECT s.destination, s.object, COUNT(*) AS records, ${accepted} AS accepted, MAX(s.sent_at) AS lastSent,
           (SELECT COUNT(*) FROM journal j WHERE j.destination = s.destination AND j.object = s.object) AS inDoubt
         FROM sent s GROUP BY s.destination, s.object ORDER BY s.destination, s.object`,
          )
          .all() as Array<{ destination: string; object: string; records: number; accepted: number; lastSent: string; inDoubt: number }>);
    const ids = !written
      ? []
      : (db.prepare('SELECT destination, object, COUNT(*) AS ids FROM ids GROUP BY destination, object').all() as Array<{
          destination: string;
          object: string;
          ids: number;
        }>);
    const runs = !written
      ? []
      : (db
          .prepare('SELECT id, destination, object, source, started_at AS startedAt, finished_at AS finishedAt, status FROM runs ORDER BY id DESC LIMIT 10')
          .all() as Array<Record<string, unknown>>);
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ path, objects, resolvedIds: ids, recentRuns: runs })}\n`);
      return 0;
    }
    const out: string[] = [`State store ${path}`];
    if (objects.length === 0) out.push('  nothing synced yet');
    for (const o of objects) {
      out.push(
        `  ${o.destination}  ${o.object}: ${o.records} records${o.accepted ? ` (${o.accepted} accepted by the Analytics API, not confirmed)` : ''}, last sent ${o.lastSent}${o.inDoubt ? `, ${o.inDoubt} in doubt (a run was killed)` : ''}`,
      );
    }
    for (const i of ids) out.push(`  ${i.destination}  ${i.object} ids resolved: ${i.ids}`);
    if (runs.length) out.push('Recent runs:');
    for (const r of runs) out.push(`  #${r.id} ${r.startedAt} ${r.object} from ${r.source}: ${r.status}`);
    io.stdout.write(`${out.join('\n')}\n`);
    return 0;
  } finally {
    db.close();
  }
}

export async function stateReset(flags: StateFlags, io: CliIO): Promise<number> {
  const path = pathOf(flags);
  if (!existsSync(path)) {
    io.stdout.write(`No state file at ${path}: nothing to reset\n`);
    return 0;
  }
  if (!flags.yes) throw new ConfigError(`state reset deletes ${path}: the next run sends every row again. Add --yes to confirm`);
  // Opening first proves the file is ours (reset never deletes a file that is not a state store) and
  // takes its lock: a store a run is using is not pulled from under it (exit 75).
  const db = openStore(path, { lock: { command: 'vitally-sync state reset' } });
  try {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    // Its lock file goes too, while it is held: a run starting now makes a new one.
    rmSync(lockPathOf(path), { force: true });
  } finally {
    closeStore(db);
  }
  io.stdout.write(`Removed ${path}\n`);
  return 0;
}

export async function stateForget(object: string, flags: StateFlags, io: CliIO): Promise<number> {
  if (!isObjectName(object)) {
    throw new ConfigError(`state forget: unknown object "${object}"${didYouMean(object, objectNames())}: choose one of ${objectNames().join(', ')}`);
  }
  // Links sent through the Analytics API (users' accounts) belong to the object whose rows name them.
  const hasLinks = getObject(object).analytics?.links !== undefined;
  const path = pathOf(flags);
  // Forgetting in a store that does not exist is a no-op: never create one for it.
  if (!existsSync(path)) {
    io.stdout.write(`No state file at ${path}: nothing to forget\n`);
    return 0;
  }
  const db = openStore(path, { lock: { command: `vitally-sync state forget ${object}` } });
  try {
    // A destination is a base URL, with '#<token fingerprint>' for hosts that do not name the tenant:
    // --destination <url> matches both.
    const dest = flags.destination?.replace(/\/+$/, '');
    const sameDest = "(destination = ? OR substr(destination, 1, length(?) + 1) = ? || '#')";
    const where = dest ? `object = ? AND ${sameDest}` : 'object = ?';
    const args = dest ? [object, dest, dest, dest] : [object];
    const counts = db.transaction(() => ({
      sent: db.prepare(`DELETE FROM sent WHERE ${where}`).run(...args).changes,
      journal: db.prepare(`DELETE FROM journal WHERE ${where}`).run(...args).changes,
      // The Vitally ids cached for this object's external ids (a user's account ids stay: they are accounts').
      ids: db.prepare(`DELETE FROM ids WHERE ${where}`).run(...args).changes,
      links: hasLinks ? db.prepare(`DELETE FROM links${dest ? ` WHERE ${sameDest}` : ''}`).run(...(dest ? [dest, dest, dest] : [])).changes : 0,
    }))();
    const extra = [`${counts.journal} in doubt`, `${counts.ids} cached ids`, ...(hasLinks ? [`${counts.links} account links`] : [])];
    io.stdout.write(`Forgot ${counts.sent} ${object} records (and ${extra.join(', ')}) in ${path}: the next run sends them again\n`);
    return 0;
  } finally {
    closeStore(db);
  }
}
