/**
 * Conversations. There is no accountId field: Vitally links a conversation to accounts, organizations,
 * users and admins through its messages' participants, so the sandbox derives accountIds/organizationIds
 * (from the user participants' links at write time), userIds and adminIds. externalId is unique: a POST
 * with a known one updates the conversation, messages merged by their externalId. Addressed by Vitally
 * id; lists leave the messages out (GET by id includes them). DELETE removes. A message's `to` is
 * required as the docs say, or optional (messageTo; production clients always send it, so whether
 * Vitally insists is unknown). Messages appended one at a time: messages.ts.
 */

import { randomUUID } from 'node:crypto';
import { HttpError, badRequest, isPlainObject, type Reply } from './http.js';
import { checkExternalIdUnchanged, checkShape, mergeTraits, requireFields, traitsOf, type Shape } from './fields.js';
import type { Ctx } from './resources.js';
import type { SandboxRecord, SandboxStore } from './store.js';

const SHAPE: Shape = {
  externalId: { kind: 'key' },
  subject: { kind: 'string', nullable: true },
  messages: { kind: 'array' },
  traits: { kind: 'object' },
};
const READ_ONLY = ['status', 'rating', 'source', 'accounts', 'users', 'admins', 'accountIds', 'organizationIds', 'userIds', 'adminIds'];

const MESSAGE_SHAPE: Shape = {
  externalId: { kind: 'key' },
  message: { kind: 'string' },
  from: { kind: 'object' },
  to: { kind: 'array' },
  cc: { kind: 'array' },
  bcc: { kind: 'array' },
  timestamp: { kind: 'datetime' },
};
const MESSAGE_READ_ONLY = ['conversationId', 'type'];

interface Participant {
  type: 'admin' | 'user';
  id: string;
}

function checkParticipant(store: SandboxStore, value: unknown, where: string): void {
  if (!isPlainObject(value)) badRequest(`${where} must be an object {type, id}`);
  for (const k of Object.keys(value)) {
    if (k !== 'type' && k !== 'id') badRequest(`${where}: Unknown field: ${k}`);
  }
  if (value.type !== 'admin' && value.type !== 'user') badRequest(`${where}.type must be 'admin' or 'user'`);
  if (typeof value.id !== 'string' || !value.id) badRequest(`${where}.id must be a non-empty string`);
  const known = value.type === 'admin' ? store.admin(value.id) : store.find('users', value.id, false);
  if (!known) badRequest(`${where}: Unknown ${value.type} id: ${value.id}`);
}

/** Check one message body; `where` prefixes the error messages (e.g. 'messages[0]'). */
export function checkMessage(ctx: Ctx, m: unknown, where: string): asserts m is Record<string, unknown> {
  const dot = where ? `${where}.` : '';
  if (!isPlainObject(m)) badRequest(`${where || 'the message'} must be an object`);
  checkShape(m, MESSAGE_SHAPE, MESSAGE_READ_ONLY, dot);
  requireFields(m, ctx.options.messageTo === 'required' ? ['externalId', 'message', 'from', 'to'] : ['externalId', 'message', 'from'], dot);
  checkParticipant(ctx.store, m.from, `${dot}from`);
  for (const list of ['to', 'cc', 'bcc'] as const) {
    const people = (m[list] ?? []) as unknown[];
    people.forEach((p, j) => checkParticipant(ctx.store, p, `${dot}${list}[${j}]`));
  }
}

function checkMessages(ctx: Ctx, messages: unknown[]): void {
  messages.forEach((m, i) => checkMessage(ctx, m, `messages[${i}]`));
}

/** Insert messages, or update those whose externalId the conversation already holds. */
export function mergeMessages(conv: SandboxRecord, incoming: Array<Record<string, unknown>>): void {
  const list = conv.messages as Array<Record<string, unknown>>;
  const now = new Date().toISOString();
  for (const m of incoming) {
    const from = m.from as Participant;
    const fields = {
      type: from.type === 'admin' ? 'outbound' : 'inbound',
      message: m.message,
      from: structuredClone(m.from),
      to: structuredClone(m.to ?? []),
      cc: structuredClone(m.cc ?? []),
      bcc: structuredClone(m.bcc ?? []),
      timestamp: m.timestamp ?? now,
    };
    const existing = list.find((x) => x.externalId === m.externalId);
    if (existing) Object.assign(existing, fields, { updatedAt: now });
    else list.push({ id: randomUUID(), externalId: m.externalId, conversationId: conv.id, ...fields, createdAt: now, updatedAt: now });
  }
}

/** Recompute the links implied by the participants. */
export function link(store: SandboxStore, conv: SandboxRecord): void {
  const users = new Set<string>();
  const admins = new Set<string>();
  for (const m of conv.messages as Array<Record<string, unknown>>) {
    const people = [m.from, ...(m.to as unknown[]), ...(m.cc as unknown[]), ...(m.bcc as unknown[])] as Participant[];
    for (const p of people) (p.type === 'user' ? users : admins).add(p.id);
  }
  const accounts = new Set<string>();
  const orgs = new Set<string>();
  for (const id of users) {
    const user = store.find('users', id, false);
    for (const a of (user?.accountIds ?? []) as string[]) accounts.add(a);
    for (const o of (user?.organizationIds ?? []) as string[]) orgs.add(o);
  }
  Object.assign(conv, { accountIds: [...accounts], organizationIds: [...orgs], userIds: [...users], adminIds: [...admins] });
}

function apply(ctx: Ctx, conv: SandboxRecord, body: Record<string, unknown>): void {
  if (body.subject !== undefined) conv.subject = body.subject;
  if (body.traits !== undefined) mergeTraits(conv.traits as Record<string, unknown>, body.traits as Record<string, unknown>);
  if (body.messages !== undefined) mergeMessages(conv, body.messages as Array<Record<string, unknown>>);
  link(ctx.store, conv);
  ctx.store.touch('conversations', conv);
}

export function conversationById(ctx: Ctx, id: string): SandboxRecord {
  const rec = ctx.store.find('conversations', id, false);
  if (!rec) throw new HttpError(404, `Conversation ${JSON.stringify(id)} not found`);
  return rec;
}

export function createConversation(ctx: Ctx, body: Record<string, unknown>): Reply {
  checkShape(body, SHAPE, READ_ONLY);
  requireFields(body, ['messages']);
  const messages = body.messages as unknown[];
  if (messages.length === 0) badRequest('messages must hold at least one message');
  checkMessages(ctx, messages);
  const externalId = typeof body.externalId === 'string' ? body.externalId : null;
  let conv = externalId === null ? undefined : ctx.store.findByExternalId('conversations', externalId);
  if (!conv) {
    conv = ctx.store.insert('conversations', externalId, {
      subject: null,
      messages: [],
      traits: traitsOf(body.traits),
      accountIds: [],
      organizationIds: [],
      userIds: [],
      adminIds: [],
    });
    apply(ctx, conv, { ...body, traits: undefined });
  } else apply(ctx, conv, body);
  return { status: 200, body: conv };
}

export function getConversation(ctx: Ctx, id: string): Reply {
  return { status: 200, body: conversationById(ctx, id) };
}

export function putConversation(ctx: Ctx, id: string, body: Record<string, unknown>): Reply {
  checkShape(body, SHAPE, READ_ONLY);
  const conv = conversationById(ctx, id);
  checkExternalIdUnchanged(body, conv.externalId);
  if (body.messages !== undefined) checkMessages(ctx, body.messages as unknown[]);
  apply(ctx, conv, body);
  return { status: 200, body: conv };
}

export function deleteConversation(ctx: Ctx, id: string): Reply {
  const conv = conversationById(ctx, id);
  ctx.store.remove('conversations', conv.id);
  return { status: 200, body: conv };
}

/** The list form of a conversation: without its messages. */
export function withoutMessages(conv: SandboxRecord): Record<string, unknown> {
  const { messages: _messages, ...rest } = conv;
  return rest;
}
