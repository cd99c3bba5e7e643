/**
 * In-memory records of one sandbox instance. Records are plain objects shaped as the API returns them.
 * Tests read them through all()/get() (copies); the request handlers use the live accessors.
 */

import { randomUUID } from 'node:crypto';

export type RecordType = 'accounts' | 'organizations' | 'users' | 'notes' | 'tasks' | 'conversations';
export const RECORD_TYPES: readonly RecordType[] = ['accounts', 'organizations', 'users', 'notes', 'tasks', 'conversations'];

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

/** Fields every new record of a keyed type starts with (REST and Analytics creations alike). */
export function blankFields(type: 'accounts' | 'organizations' | 'users'): Record<string, unknown> {
  switch (type) {
    case 'accounts':
      return { name: null, organizationId: null, accountOwnerId: null, avatar: null, traits: {} };
    case 'organizations':
      return { name: null, avatar: null, traits: {} };
    case 'users':
      return {
        name: null, email: null, avatar: null, joinDate: null, unsubscribedFromConversations: false,
        accountIds: [], organizationIds: [], deactivatedAt: null, traits: {},
      };
  }
}

interface Order {
  created: number;
  updated: number;
}

class Collection {
  readonly byId = new Map<string, SandboxRecord>();
  readonly byExternalId = new Map<string, string>();
  readonly order = new Map<string, Order>();
}

export class SandboxStore {
  /** Track messages received, deduplicated. */
  readonly events: AnalyticsEvent[] = [];
  /** Seeded team members. */
  readonly admins: SandboxAdmin[];
  /** Dedup keys (type + messageId, or type + hash) of analytics messages already applied. */
  readonly seenMessages = new Set<string>();
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

  insert(type: RecordType, externalId: string | null, fields: Record<string, unknown>): SandboxRecord {
    const now = new Date().toISOString();
    const rec: SandboxRecord = { id: randomUUID(), externalId, ...fields, createdAt: now, updatedAt: now };
    const c = this.collections[type];
    c.byId.set(rec.id, rec);
    if (externalId !== null) c.byExternalId.set(externalId, rec.id);
    this.seq += 1;
    c.order.set(rec.id, { created: this.seq, updated: this.seq });
    return rec;
  }

  /** Mark a record as updated now (updatedAt and its place in updatedAt order). */
  touch(type: RecordType, rec: SandboxRecord): void {
    const now = new Date().toISOString();
    rec.updatedAt = now < rec.createdAt ? rec.createdAt : now;
    const order = this.collections[type].order.get(rec.id);
    this.seq += 1;
    if (order) order.updated = this.seq;
  }

  remove(type: RecordType, id: string): void {
    const c = this.collections[type];
    const rec = c.byId.get(id);
    if (!rec) return;
    c.byId.delete(id);
    c.order.delete(id);
    if (rec.externalId !== null) c.byExternalId.delete(rec.externalId);
  }

  /** Records sorted newest first by createdAt or updatedAt, each with its sort key (for cursors). */
  sorted(type: RecordType, sortBy: 'createdAt' | 'updatedAt'): Array<{ rec: SandboxRecord; key: number }> {
    const c = this.collections[type];
    const rows: Array<{ rec: SandboxRecord; key: number }> = [];
    for (const rec of c.byId.values()) {
      const order = c.order.get(rec.id) as Order;
      rows.push({ rec, key: sortBy === 'createdAt' ? order.created : order.updated });
    }
    return rows.sort((a, b) => b.key - a.key);
  }

  /** Forget every record, event and dedup key; admins stay. */
  clear(): void {
    this.collections = SandboxStore.emptyCollections();
    this.events.length = 0;
    this.seenMessages.clear();
  }

  private static emptyCollections(): Record<RecordType, Collection> {
    return {
      accounts: new Collection(), organizations: new Collection(), users: new Collection(),
      notes: new Collection(), tasks: new Collection(), conversations: new Collection(),
    };
  }
}
