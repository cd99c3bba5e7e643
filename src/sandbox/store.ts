/**
 * In-memory records of one sandbox instance. Records are plain objects shaped as the docs profile answers
 * them (traits hold mrr and the other standard values, users hold accountIds); the live profile reshapes
 * its answers (shapes.ts), never the store. Tests read records through all()/get() (copies); the request
 * handlers use the live accessors.
 */

import { randomUUID } from 'node:crypto';

export type RecordType = 'accounts' | 'organizations' | 'users' | 'notes' | 'tasks' | 'conversations' | 'npsResponses' | 'customObjectInstances';
export const RECORD_TYPES: readonly RecordType[] = [
  'accounts',
  'organizations',
  'users',
  'notes',
  'tasks',
  'conversations',
  'npsResponses',
  'customObjectInstances',
];

export type SandboxRecord = Record<string, unknown> & {
  id: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
};

export interface SandboxAdmin {
  id: string;
  email: string;
  name: string | null;
  createdAt: string;
}

/** A track message as received (ids normalised to strings), once per distinct message. */
export interface AnalyticsEvent {
  event: string;
  properties: Record<string, unknown>;
  userId: string | null;
  accountId: string | null;
  organizationId: string | null;
  timestamp: string | null;
  messageId: string | null;
  receivedAt: string;
}

/** An Analytics message accepted (200) but never applied, and why. */
export interface DroppedMessage {
  type: string;
  message: unknown;
  reason: string;
  droppedAt: string;
}

/** Fields every new record of a keyed type starts with (REST and Analytics creations alike). */
export function blankFields(type: 'accounts' | 'organizations' | 'users'): Record<string, unknown> {
  switch (type) {
    case 'accounts':
      return { name: null, organizationId: null, accountOwnerId: null, avatar: null, traits: {} };
    case 'organizations':
      return { name: null, avatar: null, traits: {} };
    case 'users':
      return {
        name: null,
        email: null,
        avatar: null,
        joinDate: null,
        unsubscribedFromConversations: false,
        accountIds: [],
        organizationIds: [],
        deactivatedAt: null,
        traits: {},
      };
  }
}

interface Order {
  created: number;
  updated: number;
}

class Collection {
  readonly byId = new Map<string, SandboxRecord>();
  /** Index key (the externalId, or for custom object instances `customObjectId/externalId`) -> id. */
  readonly byExternalId = new Map<string, string>();
  /** id -> its index key, for the records that hold the index entry. */
  readonly keyOf = new Map<string, string>();
  readonly order = new Map<string, Order>();
  /** Bumped when a record is added, changed or removed: what `sorted` kept is then stale. */
  version = 0;
  readonly sorted: Partial<Record<'createdAt' | 'updatedAt', { version: number; rows: Array<{ rec: SandboxRecord; key: number }> }>> = {};
}

export class SandboxStore {
  /** Track messages received, deduplicated. */
  readonly events: AnalyticsEvent[] = [];
  /** Seeded team members. */
  readonly admins: SandboxAdmin[];
  /** Dedup keys (type + messageId, or type + hash) of analytics messages already applied. */
  readonly seenMessages = new Set<string>();
  /** Analytics messages answered 200 but dropped (profile live, or analyticsInvalid/analyticsUnknown 'drop'). */
  readonly droppedMessages: DroppedMessage[] = [];
  private collections = SandboxStore.emptyCollections();
  private seq = 0;

  constructor(admins: Array<{ id?: string; email: string; name?: string }> = []) {
    const createdAt = new Date().toISOString();
    this.admins = admins.map((a) => ({ id: a.id ?? randomUUID(), email: a.email, name: a.name ?? null, createdAt }));
  }

  /** Copies of every record of a type, oldest first. */
  all(type: RecordType): SandboxRecord[] {
    return [...this.collections[type].byId.values()].map((r) => structuredClone(r));
  }

  /** A copy of one record, by Vitally id first, then externalId. */
  get(type: RecordType, idOrExternalId: string): SandboxRecord | undefined {
    const rec = this.find(type, idOrExternalId, true);
    return rec && structuredClone(rec);
  }

  admin(id: string): SandboxAdmin | undefined {
    return this.admins.find((a) => a.id === id);
  }

  /** The live record by Vitally id, then (if allowed) by externalId. */
  find(type: RecordType, key: string, byExternalId: boolean): SandboxRecord | undefined {
    const c = this.collections[type];
    const rec = c.byId.get(key);
    if (rec || !byExternalId) return rec;
    const id = c.byExternalId.get(key);
    return id === undefined ? undefined : c.byId.get(id);
  }

  /** By index key: the externalId (for instances, `customObjectId/externalId`). With duplicates, the oldest. */
  findByExternalId(type: RecordType, externalId: string): SandboxRecord | undefined {
    const id = this.collections[type].byExternalId.get(externalId);
    return id === undefined ? undefined : this.collections[type].byId.get(id);
  }

  /** Live records, oldest first. */
  values(type: RecordType): SandboxRecord[] {
    return [...this.collections[type].byId.values()];
  }

  count(type: RecordType): number {
    return this.collections[type].byId.size;
  }

  /**
   * Add a record. `key` is its index key (default: the externalId). A key another record already holds
   * stays with that record: the new one is a duplicate that only its Vitally id reaches.
   */
  insert(type: RecordType, externalId: string | null, fields: Record<string, unknown>, key: string | null = externalId): SandboxRecord {
    const now = new Date().toISOString();
    const rec: SandboxRecord = { id: randomUUID(), externalId, ...fields, createdAt: now, updatedAt: now };
    const c = this.collections[type];
    c.byId.set(rec.id, rec);
    if (key !== null && !c.byExternalId.has(key)) this.index(c, rec.id, key);
    this.seq += 1;
    c.version += 1;
    c.order.set(rec.id, { created: this.seq, updated: this.seq });
    return rec;
  }

  /** Move a record to another index key (an instance whose externalId changed); null removes it. */
  rekey(type: RecordType, rec: SandboxRecord, key: string | null): void {
    const c = this.collections[type];
    this.unindex(c, rec.id);
    if (key !== null) this.index(c, rec.id, key);
  }

  /** Mark a record as updated now (updatedAt and its place in updatedAt order). */
  touch(type: RecordType, rec: SandboxRecord): void {
    const now = new Date().toISOString();
    rec.updatedAt = now < rec.createdAt ? rec.createdAt : now;
    const order = this.collections[type].order.get(rec.id);
    this.seq += 1;
    this.collections[type].version += 1;
    if (order) order.updated = this.seq;
  }

  remove(type: RecordType, id: string): void {
    const c = this.collections[type];
    const rec = c.byId.get(id);
    if (!rec) return;
    c.version += 1;
    c.byId.delete(id);
    c.order.delete(id);
    const key = c.keyOf.get(id);
    this.unindex(c, id);
    if (key === undefined) return;
    // A duplicate holding the same key (postExisting 'duplicate') takes over the index entry.
    for (const other of c.byId.values()) {
      if (!c.keyOf.has(other.id) && this.keyFor(type, other) === key) {
        this.index(c, other.id, key);
        return;
      }
    }
  }

  /**
   * Records sorted newest first by createdAt or updatedAt, each with its sort key (for cursors). Kept
   * until a record of the type is added, changed or removed, so paging through a large list sorts it
   * once, not once a page. Read only: the array is shared.
   */
  sorted(type: RecordType, sortBy: 'createdAt' | 'updatedAt'): ReadonlyArray<{ rec: SandboxRecord; key: number }> {
    const c = this.collections[type];
    const kept = c.sorted[sortBy];
    if (kept && kept.version === c.version) return kept.rows;
    const rows: Array<{ rec: SandboxRecord; key: number }> = [];
    for (const rec of c.byId.values()) {
      const order = c.order.get(rec.id) as Order;
      rows.push({ rec, key: sortBy === 'createdAt' ? order.created : order.updated });
    }
    rows.sort((a, b) => b.key - a.key);
    c.sorted[sortBy] = { version: c.version, rows };
    return rows;
  }

  /** Forget every record, event, dropped message and dedup key; admins stay. */
  clear(): void {
    this.collections = SandboxStore.emptyCollections();
    this.events.length = 0;
    this.droppedMessages.length = 0;
    this.seenMessages.clear();
  }

  /** The index key a record would hold. */
  keyFor(type: RecordType, rec: SandboxRecord): string | null {
    if (rec.externalId === null) return null;
    return type === 'customObjectInstances' ? instanceKey(rec.customObjectId as string, rec.externalId) : rec.externalId;
  }

  private index(c: Collection, id: string, key: string): void {
    c.byExternalId.set(key, id);
    c.keyOf.set(id, key);
  }

  private unindex(c: Collection, id: string): void {
    const key = c.keyOf.get(id);
    if (key === undefined) return;
    c.keyOf.delete(id);
    if (c.byExternalId.get(key) === id) c.byExternalId.delete(key);
  }

  private static emptyCollections(): Record<RecordType, Collection> {
    const out = {} as Record<RecordType, Collection>;
    for (const t of RECORD_TYPES) out[t] = new Collection();
    return out;
  }
}

/** The index key of a custom object instance: externalIds are unique within one custom object. */
export function instanceKey(customObjectId: string, externalId: string): string {
  return `${customObjectId}/${externalId}`;
}
