/**
 * Applying one valid Analytics message to the store. Ids in messages are YOUR ids (externalIds).
 * A message naming an account or organization externalId that does not exist (a user's or an event's
 * account, an account's organization, an instance's account) either creates a placeholder (name null)
 * that a later account message or REST call fills in (analyticsUnknown 'create'), or is dropped
 * ('drop': what becomes of such messages in the real Vitally is unknown; production clients never see
 * an error for them).
 */

import { isPlainObject } from './http.js';
import { mergeTraits } from './fields.js';
import { applyInstance, findInstance, insertInstance } from './customobjects.js';
import type { Ctx } from './resources.js';
import { blankFields, type SandboxRecord, type SandboxStore } from './store.js';

export const MESSAGE_TYPES = ['track', 'user', 'account', 'organization', 'unlink', 'customobjectinstance'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export type Msg = Record<string, unknown>;

/** The message's id field as a string (ids may be strings or numbers), or null when absent. */
export function idOf(msg: Msg, field: string): string | null {
  const v = msg[field];
  return v === undefined || v === null ? null : String(v);
}

/** Fields naming an account or organization that must exist before the message applies. */
const REFERENCES: Record<MessageType, ReadonlyArray<readonly [string, 'accounts' | 'organizations']>> = {
  track: [
    ['accountId', 'accounts'],
    ['organizationId', 'organizations'],
  ],
  user: [
    ['accountId', 'accounts'],
    ['organizationId', 'organizations'],
  ],
  account: [['organizationId', 'organizations']],
  organization: [],
  unlink: [],
  customobjectinstance: [
    ['accountId', 'accounts'],
    ['organizationId', 'organizations'],
  ],
};

/** Why the message must be dropped under analyticsUnknown 'drop' (an unknown reference), or null. */
export function unknownReference(store: SandboxStore, type: MessageType, msg: Msg): string | null {
  for (const [field, recType] of REFERENCES[type]) {
    const key = idOf(msg, field);
    if (key !== null && !store.findByExternalId(recType, key)) {
      return `${field} ${JSON.stringify(key)} names no known ${recType === 'accounts' ? 'account' : 'organization'}`;
    }
  }
  return null;
}

function ensure(store: SandboxStore, type: 'accounts' | 'organizations' | 'users', externalId: string): SandboxRecord {
  return store.findByExternalId(type, externalId) ?? store.insert(type, externalId, blankFields(type));
}

/** Reserved traits become record fields (and are not kept as traits); the rest merge, null removing. */
function applyTraits(rec: SandboxRecord, t: Record<string, unknown>, reserved: Record<string, string>): void {
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(t)) {
    const field = reserved[k];
    if (field) rec[field] = v;
    else rest[k] = v;
  }
  mergeTraits(rec.traits as Record<string, unknown>, rest);
}

const msgTraits = (msg: Msg): Record<string, unknown> => (isPlainObject(msg.traits) ? msg.traits : {});

export function applyMessage(ctx: Ctx, type: MessageType, msg: Msg): void {
  const { store } = ctx;
  const ext = (field: string) => idOf(msg, field);
  switch (type) {
    case 'track':
      store.events.push({
        event: msg.event as string,
        properties: structuredClone(msg.properties as Record<string, unknown>),
        userId: ext('userId'),
        accountId: ext('accountId'),
        organizationId: ext('organizationId'),
        timestamp: (msg.timestamp as string | undefined) ?? null,
        messageId: ext('messageId'),
        receivedAt: new Date().toISOString(),
      });
      return;
    case 'account':
    case 'organization': {
      const recType = type === 'account' ? 'accounts' : 'organizations';
      const rec = ensure(store, recType, ext(`${type}Id`) as string);
      applyTraits(rec, msgTraits(msg), { name: 'name', avatar: 'avatar' });
      const org = type === 'account' ? ext('organizationId') : null;
      if (org !== null) rec.organizationId = ensure(store, 'organizations', org).id;
      store.touch(recType, rec);
      return;
    }
    case 'user': {
      const user = ensure(store, 'users', ext('userId') as string);
      applyTraits(user, msgTraits(msg), { name: 'name', email: 'email', avatar: 'avatar', createdAt: 'joinDate' });
      // Links are only ever added here; /unlink removes them.
      for (const [field, list, recType] of [
        ['accountId', 'accountIds', 'accounts'],
        ['organizationId', 'organizationIds', 'organizations'],
      ] as const) {
        const key = ext(field);
        if (key === null) continue;
        const target = ensure(store, recType, key).id;
        const ids = user[list] as string[];
        if (!ids.includes(target)) ids.push(target);
      }
      store.touch('users', user);
      return;
    }
    case 'unlink': {
      const user = store.findByExternalId('users', ext('userId') as string);
      const account = store.findByExternalId('accounts', ext('accountId') as string);
      if (!user || !account) return;
      user.accountIds = (user.accountIds as string[]).filter((a) => a !== account.id);
      store.touch('users', user);
      return;
    }
    case 'customobjectinstance': {
      const coId = ext('customObjectId') as string;
      const externalId = ext('externalId') as string;
      const account = ext('accountId');
      const org = ext('organizationId');
      const fields: Record<string, unknown> = { traits: msgTraits(msg) };
      if (typeof msg.name === 'string') fields.name = msg.name;
      if (account !== null) fields.customerId = ensure(store, 'accounts', account).id;
      if (org !== null) fields.organizationId = ensure(store, 'organizations', org).id;
      const existing = findInstance(ctx, coId, externalId);
      if (existing) applyInstance(ctx, existing, fields);
      else insertInstance(ctx, coId, externalId, fields);
    }
  }
}
