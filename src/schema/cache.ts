/**
 * The catalogue's copy in the state store (table `cache`, one row per destination and model): Vitally is
 * asked at most once a day per workspace and object type, and a dry run, which asks nothing, can still
 * check trait keys against the last copy.
 */
import type { DB } from '../state/store.js';
import type { TraitField } from './catalogue.js';

/** How long a copy is used before Vitally is asked again (--refresh-schema asks at once). */
export const CATALOGUE_TTL_MS = 24 * 60 * 60 * 1000;

export interface Cached {
  fields: TraitField[];
  fetchedAt: string;
}

const nameOf = (model: string) => `customFields:${model}`;

export class CatalogueCache {
  constructor(
    private readonly db: DB,
    private readonly destination: string,
  ) {}

  get(model: string): Cached | undefined {
    let row: { body: string; fetchedAt: string } | undefined;
    try {
      row = this.db
        .prepare('SELECT body, fetched_at AS fetchedAt FROM cache WHERE destination = ? AND name = ?')
        .get(this.destination, nameOf(model)) as typeof row;
    } catch {
      return undefined; // a store that cannot be read now (held by another program) has no copy to give
    }
    if (!row) return undefined;
    try {
      const fields = JSON.parse(row.body) as unknown;
      return Array.isArray(fields) ? { fields: fields as TraitField[], fetchedAt: row.fetchedAt } : undefined;
    } catch {
      return undefined; // a damaged copy is as good as none: Vitally is asked again
    }
  }

  /** Keep a copy; a store that cannot be written (a full disk, a lock held elsewhere) just keeps none. */
  put(model: string, fields: TraitField[], fetchedAt: string): void {
    try {
      this.db
        .prepare('INSERT OR REPLACE INTO cache (destination, name, body, fetched_at) VALUES (?, ?, ?, ?)')
        .run(this.destination, nameOf(model), JSON.stringify(fields), fetchedAt);
    } catch {
      // The copy only saves a request; the run's own writes to the store report a failing store.
    }
  }
}

export function isFresh(c: Cached, now: number): boolean {
  const at = Date.parse(c.fetchedAt);
  return Number.isFinite(at) && now - at < CATALOGUE_TTL_MS && at <= now + 60_000;
}
