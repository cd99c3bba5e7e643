import { defineObject } from './define.js';

/** Accounts: keyed by externalId. mrr, nextRenewalDate, churnedAt, trialEndDate are traits in Vitally. */
export const account = defineObject({
  name: 'account',
  path: '/resources/accounts',
  kind: 'keyed',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', update: false, aliases: ['external id', 'id'] },
    name: { type: 'string', required: 'create' },
    organizationId: { type: 'string', nullable: true },
    accountOwnerId: { type: 'string', nullable: true, create: false, description: 'only null (to clear) is accepted' },
  },
  refs: {
    organizationExternalId: { object: 'organization', target: 'organizationId', many: false },
  },
  traits: true,
  check: (rec) =>
    rec.accountOwnerId !== undefined && rec.accountOwnerId !== null
      ? { field: 'accountOwnerId', message: 'can only be cleared (empty with --empty null); Vitally sets owners in-app' }
      : null,
});
