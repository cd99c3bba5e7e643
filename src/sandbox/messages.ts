/**
 * Messages appended to an existing conversation: POST /resources/conversations/:conversationId/messages
 * takes the conversation's Vitally id (whether Vitally also takes its externalId there is unconfirmed:
 * the sandbox answers 404, naming the id it needs). The message body is one message as in a
 * conversation's `messages`; its externalId is unique within the conversation, so a repeat updates that
 * message instead of adding one. GET and DELETE /resources/messages/:id address a message by its id.
 */

import { HttpError, type Reply } from './http.js';
import { checkMessage, conversationById, link, mergeMessages } from './conversations.js';
import type { Ctx } from './resources.js';
import type { SandboxRecord } from './store.js';

type Message = Record<string, unknown> & { id: string; externalId: string };

function messagesOf(conv: SandboxRecord): Message[] {
  return conv.messages as Message[];
}

function conversationFor(ctx: Ctx, key: string): SandboxRecord {
  if (ctx.store.find('conversations', key, false)) return conversationById(ctx, key);
  const byExternalId = ctx.store.findByExternalId('conversations', key);
  const hint = byExternalId ? ` (that is the externalId of conversation ${byExternalId.id}: use its Vitally id)` : '';
  throw new HttpError(404, `Conversation ${JSON.stringify(key)} not found${hint}`);
}

export function appendMessage(ctx: Ctx, conversationKey: string, body: Record<string, unknown>): Reply {
  const conv = conversationFor(ctx, conversationKey);
  checkMessage(ctx, body, '');
  mergeMessages(conv, [body]);
  link(ctx.store, conv);
  ctx.store.touch('conversations', conv);
  const message = messagesOf(conv).find((m) => m.externalId === body.externalId);
  return { status: 200, body: message };
}

function find(ctx: Ctx, id: string): { conv: SandboxRecord; message: Message } {
  for (const conv of ctx.store.values('conversations')) {
    const message = messagesOf(conv).find((m) => m.id === id);
    if (message) return { conv, message };
  }
  throw new HttpError(404, `Message ${JSON.stringify(id)} not found`);
}

export function getMessage(ctx: Ctx, id: string): Reply {
  return { status: 200, body: find(ctx, id).message };
}

export function deleteMessage(ctx: Ctx, id: string): Reply {
  const { conv, message } = find(ctx, id);
  conv.messages = messagesOf(conv).filter((m) => m !== message);
  link(ctx.store, conv);
  ctx.store.touch('conversations', conv);
  return { status: 200, body: message };
}
