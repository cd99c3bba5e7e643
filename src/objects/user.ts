import { defineObject } from './define.js';

/**
 * Users: keyed by externalId; linked to accounts and organizations by Vitally ids (accountIds,
 * organizationIds), or by the customer's own ids through accountExternalId / organizationExternalId.
 */
export const user = defineObject({
  name: 'user',
  path: '/resources/users',
  kind: 'keyed',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', update: false, aliases: ['external id', 'id'] },
    name: { type: 'string' },
    email: { type: 'string' },
    avatar: { type: 'string' },
    accountIds: { type: 'stringArray', aliases: ['accountId'] },
    organizationIds: { type: 'stringArray', aliases: ['organizationId'] },
    joinDate: { type: 'datetime' },
    unsubscribedFromConversations: { type: 'boolean' },
  },
  refs: {
    accountExternalId: { object: 'account', target: 'accountIds', many: true, aliases: ['accountExternalIds'] },
    organizationExternalId: { object: 'organization', target: 'organizationIds', many: true, aliases: ['organizationExternalIds'] },
  },
  oneOf: [{ fields: ['accountIds', 'organizationIds'], when: 'create' }],
  traits: true,
});
