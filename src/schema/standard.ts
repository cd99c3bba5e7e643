/**
 * Traits Vitally defines itself (they are not in the customFields catalogue): accounts and organizations
 * keep `mrr`, `nextRenewalDate`, `churnedAt` and `trialEndDate` in their traits (docs: "standard values
 * that live in traits"). They count as known keys, typed like catalogue traits.
 */
import type { ObjectName } from '../objects/index.js';
import type { TraitField } from './catalogue.js';

const MONEY_AND_DATES: TraitField[] = [
  { label: 'MRR', key: 'mrr', type: 'number' },
  { label: 'Next renewal date', key: 'nextRenewalDate', type: 'date' },
  { label: 'Churned at', key: 'churnedAt', type: 'datetime' },
  { label: 'Trial end date', key: 'trialEndDate', type: 'date' },
];

const STANDARD: Partial<Record<ObjectName, TraitField[]>> = {
  account: MONEY_AND_DATES,
  organization: MONEY_AND_DATES,
};

export function standardTraits(object: ObjectName): TraitField[] {
  return (STANDARD[object] ?? []).map((f) => ({ ...f, standard: true }));
}
