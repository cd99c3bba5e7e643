import { defineObject, type MappedRecord } from './define.js';

/**
 * Conversations: one row is one conversation holding one message. Vitally has no accountId on a
 * conversation: it links it to the accounts of the user taking part, so a row names that user
 * (userExternalId or userId) and, optionally, the team member on the other side (adminEmail or
 * adminId). `direction` says who wrote: inbound (the user, default) or outbound (the team member).
 */
export const conversation = defineObject({
  name: 'conversation',
  path: '/resources/conversations',
  kind: 'append',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', aliases: ['external id'] },
    subject: { type: 'string', aliases: ['title'] },
    body: { type: 'string', required: 'always', aliases: ['message', 'text'] },
    userId: { type: 'string', required: 'always' },
    adminId: { type: 'string' },
    direction: { type: 'string' },
    timestamp: { type: 'datetime', aliases: ['date', 'sentAt'] },
    messageExternalId: { type: 'string' },
  },
  refs: {
    userExternalId: { object: 'user', target: 'userId', many: false },
    adminEmail: { object: 'admin', target: 'adminId', many: false },
  },
  traits: true,
  exportNames: {
    subject: ['conversation subject'],
    body: ['content', 'message body'],
    timestamp: ['created at', 'sent on'],
    userExternalId: ['user external id', 'user id', 'contact id'],
    adminEmail: ['admin', 'agent email', 'from email'],
  },
  check: (rec) => {
    if (rec.direction !== undefined && rec.direction !== 'inbound' && rec.direction !== 'outbound') {
      return { field: 'direction', message: `must be inbound or outbound, not "${String(rec.direction)}"` };
    }
    if (rec.direction === 'outbound' && rec.adminId === undefined) {
      return { field: 'adminId', message: 'an outbound message needs the team member who sent it (adminEmail or adminId)' };
    }
    return null;
  },
  shape: (rec: MappedRecord) => {
    const user = { type: 'user', id: rec.userId };
    const admin = rec.adminId !== undefined ? [{ type: 'admin', id: rec.adminId }] : [];
    const outbound = rec.direction === 'outbound';
    const message: Record<string, unknown> = {
      externalId: rec.messageExternalId ?? `${String(rec.externalId)}-1`,
      message: rec.body,
      from: outbound ? admin[0] : user,
      to: outbound ? [user] : admin,
    };
    if (rec.timestamp !== undefined) message.timestamp = rec.timestamp;
    const body: Record<string, unknown> = { externalId: rec.externalId };
    if (rec.subject !== undefined) body.subject = rec.subject;
    body.messages = [message];
    if (rec.traits) body.traits = rec.traits;
    return body;
  },
});
