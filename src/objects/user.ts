import { refuse, traitsWith } from './analytics.js';
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
  matchByEmail: true,
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
  scan: {},
  exportNames: {
    externalId: ['user id', 'user external id', 'contact id', 'person id', 'uid'],
    name: ['full name', 'user name', 'contact name', 'display name'],
    email: ['email address', 'e-mail', 'mail', 'user email'],
    joinDate: ['created at', 'signed up at', 'signup date', 'sign up date', 'joined at', 'joined'],
    accountExternalId: ['account external id', 'company id', 'customer id'],
    organizationExternalId: ['organization external id', 'org id', 'org external id'],
  },
  analytics: {
    phase: 'update',
    // The Analytics API adds account links but never removes them: --unlink-removed takes back the ones
    // that left a user's row.
    links: 'accountExternalId',
    messages: (record, refs) => {
      for (const f of ['accountIds', 'organizationIds'] as const) {
        if (record[f] !== undefined)
          refuse(f, `holds Vitally ids; with --via analytics name them by ${f === 'accountIds' ? 'accountExternalId(s)' : 'organizationExternalId(s)'}`);
      }
      if (record.unsubscribedFromConversations !== undefined)
        refuse('unsubscribedFromConversations', 'cannot be set through the Analytics API; use --via rest');
      const accounts = [...new Set(refs.accountExternalId ?? [])];
      const orgs = [...new Set(refs.organizationExternalId ?? [])];
      if (accounts.length === 0 && orgs.length === 0) {
        refuse('accountExternalId or organizationExternalId', 'at least one is required with --via analytics');
      }
      const traits = traitsWith(record, { name: record.name, email: record.email, avatar: record.avatar, createdAt: record.joinDate });
      // One message per link: Vitally's user message takes one account (or organization) at a time.
      return [
        ...accounts.map((a) => ({ type: 'user', userId: record.externalId, accountId: a, traits })),
        ...orgs.map((o) => ({ type: 'user', userId: record.externalId, organizationId: o, traits })),
      ];
    },
  },
});
