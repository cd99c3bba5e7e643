import { defineObject, type MappedRecord } from './define.js';
import { checkParticipants, messageBody, messageExportNames, messageFields, participantRefs } from './participants.js';

/** The externalId of a conversation row's message: its own column, else the conversation's followed by -1. */
const messageExternalId = (rec: MappedRecord): string => (rec.messageExternalId as string | undefined) ?? `${String(rec.externalId)}-1`;

/**
 * Conversations: one row is one conversation holding one message. Vitally has no accountId on a
 * conversation: it links it to the accounts of the user taking part, so a row names that user
 * (userExternalId or userId) and, optionally, the team member on the other side (adminEmail or
 * adminId). `direction` says who wrote: inbound (the user, default) or outbound (the team member).
 * A conversation Vitally already holds (the state store knows its id, or the list of conversations
 * shows its externalId) is not posted again: the row's message is appended to it.
 */
export const conversation = defineObject({
  name: 'conversation',
  path: '/resources/conversations',
  kind: 'append',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', aliases: ['external id'] },
    subject: { type: 'string', aliases: ['title'] },
    ...messageFields,
    messageExternalId: { type: 'string' },
  },
  refs: participantRefs,
  traits: true,
  exportNames: { subject: ['conversation subject'], ...messageExportNames },
  check: checkParticipants,
  shape: (rec: MappedRecord) => {
    const body: Record<string, unknown> = { externalId: rec.externalId };
    if (rec.subject !== undefined) body.subject = rec.subject;
    body.messages = [messageBody(rec, messageExternalId(rec))];
    if (rec.traits) body.traits = rec.traits;
    return body;
  },
  existing: {
    ref: 'conversation',
    path: '/resources/conversations/:id/messages',
    shape: (rec) => messageBody(rec, messageExternalId(rec)),
    answerKey: messageExternalId,
  },
});
