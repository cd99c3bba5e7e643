import { MONEY_AND_DATES } from './account.js';
import { traitsWith } from './analytics.js';
import { defineObject } from './define.js';

/** Organizations: keyed by externalId; only matter when organizations are enabled in the workspace. */
export const organization = defineObject({
  name: 'organization',
  path: '/resources/organizations',
  kind: 'keyed',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', update: false, aliases: ['external id', 'id'] },
    name: { type: 'string', required: 'create' },
  },
  traits: true,
  standardTraits: MONEY_AND_DATES,
  scan: {},
  exportNames: {
    externalId: ['organization id', 'organization external id', 'org id', 'company id', 'uid'],
    name: ['organization name', 'org name', 'company name', 'company'],
  },
  analytics: {
    phase: 'update',
    messages: (record) => [{ type: 'organization', organizationId: record.externalId, traits: traitsWith(record, { name: record.name }) }],
  },
});
