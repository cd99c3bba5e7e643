/**
 * The Analytics API: POST /analytics/v1/{track,user,account,organization,unlink,batch}. Ids here are
 * YOUR ids (externalIds); account/organization/user messages create or update the records the REST API
 * shows. Every message needs a timestamp or a messageId. A message already applied (same type and
 * messageId; without a messageId, the same content, as Vitally hashes it) is accepted but not applied
 * again. A batch is validated whole before anything is applied: one bad message fails it all.
 * Unknown fields in a message are ignored (the Analytics API is the lenient one).
 */

import { createHash } from 'node:crypto';
import type { SandboxStats } from './index.js';
import { HttpError, badRequest, isPlainObject, type Reply } from './http.js';
import { isIsoDate, isIsoDateTime, mergeTraits } from './fields.js';
import type { Ctx } from './resources.js';
import { blankFields, type SandboxRecord, type SandboxStore } from './store.js';

export const MESSAGE_TYPES = ['track', 'user', 'account', 'organization', 'unlink'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export const ANALYTICS_ENDPOINTS: readonly string[] = [...MESSAGE_TYPES, 'batch'];
const MAX_BATCH = 100;

type Msg = Record<string, unknown>;

interface Valid {
  type: MessageType;
  msg: Msg;
  dedupKey: string;
}

function id(msg: Msg, field: string, required: boolean): string | null {
  const v = msg[field];
  if (v === undefined || v === null) {
    if (required) badRequest(`${field} is required`);
    return null;
  }
  if ((typeof v === 'string' && v.length > 0) || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  return badRequest(`${field} must be a non-empty string or a number`);
}

function traits(msg: Msg, required: boolean): Record<string, unknown> {
  if (msg.traits === undefined && !required) return {};
  if (!isPlainObject(msg.traits)) badRequest('traits must be an object');
  return msg.traits;
}

function optString(obj: Record<string, unknown>, key: string, where: string): void {
  const v = obj[key];
  if (v !== undefined && v !== null && typeof v !== 'string') badRequest(`${where}${key} must be a string`);
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function validate(type: MessageType, msg: Msg): Valid {
  if (msg.timestamp !== undefined && (typeof msg.timestamp !== 'string' || !isIsoDateTime(msg.timestamp))) {
    badRequest('timestamp must be an ISO 8601 date-time');
  }
  const messageId = id(msg, 'messageId', false);
  if (msg.timestamp === undefined && messageId === null) badRequest('timestamp or messageId is required');
  switch (type) {
    case 'track':
      if (typeof msg.event !== 'string' || !msg.event) badRequest('event is required (a non-empty string)');
      if (!isPlainObject(msg.properties)) badRequest('properties is required (an object, may be empty)');
      if ([id(msg, 'userId', false), id(msg, 'accountId', false), id(msg, 'organizationId', false)].every((x) => x === null)) {
        badRequest('one of userId, accountId, organizationId is required');
      }
      break;
    case 'user': {
      id(msg, 'userId', true);
      const t = traits(msg, true);
      for (const k of ['name', 'email', 'avatar']) optString(t, k, 'traits.');
      const c = t.createdAt;
      if (c !== undefined && c !== null && !(typeof c === 'string' && (isIsoDate(c) || isIsoDateTime(c)))) {
        badRequest('traits.createdAt must be an ISO 8601 date or date-time');
      }
      if (id(msg, 'accountId', false) === null && id(msg, 'organizationId', false) === null) {
        badRequest('accountId or organizationId is required');
      }
      break;
    }
    case 'account':
      id(msg, 'accountId', true);
      id(msg, 'organizationId', false);
      for (const k of ['name', 'avatar']) optString(traits(msg, true), k, 'traits.');
      break;
    case 'organization':
      id(msg, 'organizationId', true);
      for (const k of ['name', 'avatar']) optString(traits(msg, true), k, 'traits.');
      break;
    case 'unlink':
      id(msg, 'userId', true);
      id(msg, 'accountId', true);
      break;
  }
  const dedupKey = messageId !== null ? `${type}:id:${messageId}` : `${type}:hash:${createHash('sha256').update(stable(msg)).digest('hex')}`;
  return { type, msg, dedupKey };
}

/**
 * The Analytics API is lenient about links: a user or account message naming an account/organization
 * externalId that does not exist yet creates a placeholder (name null) that a later account message or
 * REST call fills in, rather than failing the message.
 */
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

function apply(store: SandboxStore, { type, msg }: Valid): void {
  const ext = (field: string) => id(msg, field, false);
  switch (type) {
    case 'track':
      store.events.push({
        event: msg.event as string, properties: structuredClone(msg.properties as Record<string, unknown>),
        userId: ext('userId'), accountId: ext('accountId'), organizationId: ext('organizationId'),
        timestamp: (msg.timestamp as string | undefined) ?? null, messageId: ext('messageId'),
        receivedAt: new Date().toISOString(),
      });
      return;
    case 'account':
    case 'organization': {
      const recType = type === 'account' ? 'accounts' : 'organizations';
      const rec = ensure(store, recType, ext(`${type}Id`) as string);
      applyTraits(rec, traits(msg, true), { name: 'name', avatar: 'avatar' });
      const org = type === 'account' ? ext('organizationId') : null;
      if (org !== null) rec.organizationId = ensure(store, 'organizations', org).id;
      store.touch(recType, rec);
      return;
    }
    case 'user': {
      const user = ensure(store, 'users', ext('userId') as string);
      applyTraits(user, traits(msg, true), { name: 'name', email: 'email', avatar: 'avatar', createdAt: 'joinDate' });
      // Links are only ever added here; /unlink removes them.
      for (const [field, list, recType] of [
        ['accountId', 'accountIds', 'accounts'], ['organizationId', 'organizationIds', 'organizations'],
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
    }
  }
}

function checkBlocked(ctx: Ctx, type: string): void {
  if (ctx.options.blockedAnalyticsTypes.includes(type)) badRequest(`Message type ${type} is blocked for this workspace`);
}

/** POST /analytics/v1/<endpoint> with its parsed body (an array for batch, else an object). */
export function handleAnalytics(ctx: Ctx, endpoint: string, body: unknown, stats: SandboxStats['messages']): Reply {
  let valid: Valid[];
  if (endpoint === 'batch') {
    const items = body as unknown[];
    if (items.length > MAX_BATCH) badRequest(`A batch holds at most ${MAX_BATCH} messages (got ${items.length})`);
    const types = items.map((item, i) => {
      const t = isPlainObject(item) ? item.type : undefined;
      if (!isPlainObject(item)) badRequest(`message ${i}: must be an object`);
      if (!(MESSAGE_TYPES as readonly unknown[]).includes(t)) {
        badRequest(`message ${i}: type must be one of ${MESSAGE_TYPES.join(', ')} (got ${JSON.stringify(t ?? null)})`);
      }
      return t as MessageType;
    });
    for (const t of types) checkBlocked(ctx, t);
    valid = items.map((item, i) => {
      try {
        return validate(types[i] as MessageType, item as Msg);
      } catch (err) {
        if (err instanceof HttpError) throw new HttpError(err.status, `message ${i}: ${err.message}`);
        throw err;
      }
    });
  } else {
    checkBlocked(ctx, endpoint);
    valid = [validate(endpoint as MessageType, body as Msg)];
  }
  for (const v of valid) {
    if (ctx.store.seenMessages.has(v.dedupKey)) {
      stats.deduplicated += 1;
      continue;
    }
    apply(ctx.store, v);
    ctx.store.seenMessages.add(v.dedupKey);
    stats.applied += 1;
  }
  return { status: 200, body: { message: 'Success.' } };
}
