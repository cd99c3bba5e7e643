/**
 * What conversations and messages share: one message of a conversation, its participants named as a
 * row names them (the user by userExternalId or userId, the team member by adminEmail or adminId),
 * `direction` saying who wrote (inbound, the user, by default; outbound, the team member), and the
 * message body Vitally takes.
 */
import type { FieldSpec, MappedRecord, RefSpec } from './define.js';

export const messageFields = {
  body: { type: 'string', required: 'always', aliases: ['message', 'text'] },
  userId: { type: 'string', required: 'always' },
  adminId: { type: 'string' },
  direction: { type: 'string' },
  timestamp: { type: 'datetime', aliases: ['date', 'sentAt'] },
} satisfies Record<string, FieldSpec>;

export const participantRefs = {
  userExternalId: {
    object: 'user',
    target: 'userId',
    many: false,
    description: "your id of the user taking part: Vitally files the conversation under that user's accounts",
  },
  adminEmail: { object: 'admin', target: 'adminId', many: false },
} satisfies Record<string, RefSpec>;

/** Column names exports use for the message and its participants (init). */
export const messageExportNames: Record<string, string[]> = {
  body: ['content', 'message body'],
  timestamp: ['created at', 'sent on'],
  userExternalId: ['user external id', 'user id', 'contact id'],
  adminEmail: ['admin', 'agent email', 'from email'],
};

/** The direction is one Vitally knows, and an outbound message names who sent it. */
export function checkParticipants(rec: MappedRecord): { field: string; message: string } | null {
  if (rec.direction !== undefined && rec.direction !== 'inbound' && rec.direction !== 'outbound') {
    return { field: 'direction', message: `must be inbound or outbound, not "${String(rec.direction)}"` };
  }
  if (rec.direction === 'outbound' && rec.adminId === undefined) {
    return { field: 'adminId', message: 'an outbound message needs the team member who sent it (adminEmail or adminId)' };
  }
  return null;
}

/** The message as Vitally takes it: `from` and `to` built from the direction, `timestamp` when given. */
export function messageBody(rec: MappedRecord, externalId: string): Record<string, unknown> {
  const user = { type: 'user', id: rec.userId };
  const admin = rec.adminId !== undefined ? [{ type: 'admin', id: rec.adminId }] : [];
  const outbound = rec.direction === 'outbound';
  const message: Record<string, unknown> = {
    externalId,
    message: rec.body,
    from: outbound ? admin[0] : user,
  };
  // An inbound message the row names no team member for goes without `to`, never with `"to": []`:
  // production clients always name a recipient, and an empty list is a guess Vitally may refuse
  // (docs/objects/conversation.md says what is sent and why).
  const to = outbound ? [user] : admin;
  if (to.length > 0) message.to = to;
  if (rec.timestamp !== undefined) message.timestamp = rec.timestamp;
  return message;
}
