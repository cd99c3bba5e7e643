import { defineObject } from './define.js';
import { checkParticipants, messageBody, messageExportNames, messageFields, participantRefs } from './participants.js';

/**
 * Messages appended to a conversation Vitally already holds, with
 * POST /resources/conversations/:conversationId/messages. The row names the conversation by Vitally's
 * id (conversationId) or by its externalId (conversationExternalId: the state store's id for it, else
 * found in the list of conversations), and its participants as a conversation row does. The message's
 * externalId (derived from the row when absent) makes a repeat update the message instead of adding one.
 */
export const message = defineObject({
  name: 'message',
  path: '/resources/conversations/:conversationId/messages',
  kind: 'append',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', aliases: ['external id', 'messageExternalId'] },
    conversationId: { type: 'string', required: 'always' },
    ...messageFields,
  },
  refs: {
    conversationExternalId: { object: 'conversation', target: 'conversationId', many: false },
    ...participantRefs,
  },
  traits: false,
  catalogue: false,
  exportNames: { conversationExternalId: ['conversation external id', 'conversation', 'thread id', 'ticket id'], ...messageExportNames },
  check: checkParticipants,
  shape: (rec) => messageBody(rec, rec.externalId as string),
});
