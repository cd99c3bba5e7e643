import { refuse, traitsWith } from './analytics.js';
import { defineObject, type StandardTrait } from './define.js';

/** Traits Vitally keeps on accounts and organizations itself ("standard values that live in traits"). */
export const MONEY_AND_DATES: StandardTrait[] = [
  { label: 'MRR', key: 'mrr', type: 'number' },
  { label: 'Next renewal date', key: 'nextRenewalDate', type: 'date' },
  { label: 'Churned at', key: 'churnedAt', type: 'datetime' },
  { label: 'Trial end date', key: 'trialEndDate', type: 'date' },
];

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
  standardTraits: MONEY_AND_DATES,
  // A plain list leaves churned accounts out.
  scan: { query: 'status=activeOrChurned' },
  exportNames: {
    externalId: ['account id', 'account external id', 'customer id', 'company id', 'uid'],
    name: ['company', 'company name', 'account name', 'customer name', 'customer'],
    organizationExternalId: ['organization external id', 'org id', 'org external id', 'parent id', 'parent organization id'],
  },
  check: (rec) =>
    rec.accountOwnerId !== undefined && rec.accountOwnerId !== null
      ? { field: 'accountOwnerId', message: 'can only be cleared (empty with --empty null); Vitally sets owners in-app' }
      : null,
  // An account message, keyed by the customer's ids: no look-up needed.
  analytics: {
    phase: 'update',
    messages: (record, refs) => {
      if (record.organizationId !== undefined)
        refuse('organizationId', 'holds a Vitally id; with --via analytics name the organization by organizationExternalId');
      if (record.accountOwnerId !== undefined) refuse('accountOwnerId', 'cannot be set through the Analytics API; use --via rest');
      const org = refs.organizationExternalId?.[0];
      return [{ type: 'account', accountId: record.externalId, ...(org ? { organizationId: org } : {}), traits: traitsWith(record, { name: record.name }) }];
    },
  },
});
