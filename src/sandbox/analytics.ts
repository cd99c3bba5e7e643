/**
 * The Analytics API: POST /analytics/v1/{track,user,account,organization,unlink,customobjectinstance,batch}.
 * Ids here are YOUR ids (externalIds); account/organization/user/instance messages create or update the
 * records the REST API shows (analytics-apply.ts). Every message needs a timestamp or a messageId. A
 * message already applied (same type and messageId; without a messageId, the same content, as Vitally
 * hashes it) is accepted but not applied again. Unknown fields in a message are ignored (the Analytics
 * API is the lenient one). A request holding a message type the workspace blocks, a batch over 100
 * messages or a body that is not JSON is refused (400) whatever the options.
 *
 * With analyticsInvalid 'reject' a batch is validated whole first: one bad message fails it all (400);
 * with 'drop' the request is answered 200 and a bad message is dropped. Messages are applied before the
 * answer (analyticsApply 'at-once') or after it ('deferred', through the server's `defer`).
 */

import { createHash } from 'node:crypto';
import type { SandboxStats } from './index.js';
import { HttpError, badRequest, isPlainObject, type Reply } from './http.js';
import { isIsoDate, isIsoDateTime } from './fields.js';
import type { Ctx } from './resources.js';
import { MESSAGE_TYPES, applyMessage, unknownReference, type MessageType, type Msg } from './analytics-apply.js';

export { MESSAGE_TYPES } from './analytics-apply.js';
export const ANALYTICS_ENDPOINTS: readonly string[] = [...MESSAGE_TYPES, 'batch'];
const MAX_BATCH = 100;

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
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

function validate(ctx: Ctx, type: MessageType, msg: Msg): Valid {
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
    case 'customobjectinstance': {
      id(msg, 'externalId', true);
      const co = id(msg, 'customObjectId', true);
      if (!ctx.options.customObjects.some((d) => d.id === co)) badRequest(`customObjectId ${JSON.stringify(co)} names no custom object`);
      optString(msg, 'name', '');
      id(msg, 'accountId', false);
      id(msg, 'organizationId', false);
      traits(msg, true);
      break;
    }
  }
  const dedupKey = messageId !== null ? `${type}:id:${messageId}` : `${type}:hash:${createHash('sha256').update(stable(msg)).digest('hex')}`;
  return { type, msg, dedupKey };
}

function checkBlocked(ctx: Ctx, type: string): void {
  if (ctx.options.blockedAnalyticsTypes.includes(type)) badRequest(`Message type ${type} is blocked for this workspace`);
}

/** What the server lends the handler: its counters, and how to run the applying (now or later). */
export interface AnalyticsHooks {
  stats: SandboxStats;
  defer(apply: () => void): void;
}

/** A message as received: valid, or to be dropped with a reason (analyticsInvalid 'drop'). */
type Item = Valid | { type: string; msg: unknown; reason: string };

/** Throw the 400 for a message that is not an object or not of a known type. */
function checkEnvelope(type: unknown, msg: unknown): asserts msg is Msg {
  if (!isPlainObject(msg)) badRequest('must be an object');
  if (!(MESSAGE_TYPES as readonly unknown[]).includes(type)) {
    badRequest(`type must be one of ${MESSAGE_TYPES.join(', ')} (got ${JSON.stringify(type ?? null)})`);
  }
}

/** Run a check, prefixing its 400 message with `where`. */
function at<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof HttpError) throw new HttpError(err.status, `${where}${err.message}`);
    throw err;
  }
}

/** Validate one message; a failure is thrown (reject) or becomes a dropped item (drop). */
function check(ctx: Ctx, type: unknown, msg: unknown, where: string): Item {
  try {
    return at(where, () => {
      checkEnvelope(type, msg);
      return validate(ctx, type as MessageType, msg);
    });
  } catch (err) {
    if (ctx.options.analyticsInvalid === 'drop' && err instanceof HttpError) return { type: String(type), msg, reason: err.message };
    throw err;
  }
}

function drop(ctx: Ctx, stats: SandboxStats, type: string, msg: unknown, reason: string): void {
  ctx.store.droppedMessages.push({ type, message: structuredClone(msg), reason, droppedAt: new Date().toISOString() });
  stats.messagesDropped += 1;
}

/** POST /analytics/v1/<endpoint> with its parsed body (an array for batch, else an object). */
export function handleAnalytics(ctx: Ctx, endpoint: string, body: unknown, hooks: AnalyticsHooks): Reply {
  let items: Item[];
  if (endpoint === 'batch') {
    const list = body as unknown[];
    if (list.length > MAX_BATCH) badRequest(`A batch holds at most ${MAX_BATCH} messages (got ${list.length})`);
    const typeOf = (m: unknown) => (isPlainObject(m) ? m.type : undefined);
    // Shape and type first (a bad one names its index), then blocked types, then each message's fields.
    if (ctx.options.analyticsInvalid === 'reject') list.forEach((m, i) => at(`message ${i}: `, () => checkEnvelope(typeOf(m), m)));
    for (const m of list) {
      const t = typeOf(m);
      if (typeof t === 'string' && (MESSAGE_TYPES as readonly string[]).includes(t)) checkBlocked(ctx, t);
    }
    items = list.map((m, i) => check(ctx, typeOf(m), m, `message ${i}: `));
  } else {
    checkBlocked(ctx, endpoint);
    items = [check(ctx, endpoint, body, '')];
  }
  const { stats } = hooks;
  hooks.defer(() => {
    for (const item of items) {
      if ('reason' in item) {
        drop(ctx, stats, item.type, item.msg, item.reason);
        continue;
      }
      const unknown = ctx.options.analyticsUnknown === 'drop' ? unknownReference(ctx.store, item.type, item.msg) : null;
      if (unknown !== null) {
        drop(ctx, stats, item.type, item.msg, unknown);
        continue;
      }
      if (ctx.store.seenMessages.has(item.dedupKey)) {
        stats.messages.deduplicated += 1;
        continue;
      }
      applyMessage(ctx, item.type, item.msg);
      ctx.store.seenMessages.add(item.dedupKey);
      stats.messages.applied += 1;
    }
  });
  return { status: 200, body: { message: 'Success.' } };
}
