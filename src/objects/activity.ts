/**
 * What notes and tasks share: an externalId of their own, and the account (or organization) they sit
 * on, by Vitally id or by the customer's id (resolved), one of the two required.
 */
import type { FieldSpec, RefSpec } from './define.js';

export const activityFields = {
  externalId: { type: 'string', required: 'always', aliases: ['external id'] },
  accountId: { type: 'string' },
  organizationId: { type: 'string' },
} satisfies Record<string, FieldSpec>;

export const activityRefs = {
  accountExternalId: { object: 'account', target: 'accountId', many: false },
  organizationExternalId: { object: 'organization', target: 'organizationId', many: false },
} satisfies Record<string, RefSpec>;

export const onAccountOrOrganization = [{ fields: ['accountId', 'organizationId'], when: 'always' as const }];
