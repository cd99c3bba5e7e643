/**
 * Traits Vitally defines itself (they are not in the customFields catalogue): accounts and organizations
 * keep `mrr`, `nextRenewalDate`, `churnedAt` and `trialEndDate` in their traits (docs: "standard values
 * that live in traits"). Each object spec lists its own (`standardTraits`); they count as known keys,
 * typed like catalogue traits.
 */
import type { ObjectSpec } from '../objects/index.js';
import type { TraitField } from './catalogue.js';

export function standardTraits(spec: ObjectSpec): TraitField[] {
  return (spec.standardTraits ?? []).map((f) => ({ ...f, standard: true }));
}
