/**
 * How accounts, organizations and users are answered. The store keeps one shape (the docs one); the
 * options recordShape and traitDates decide what a client is shown:
 *   - recordShape 'live': accounts and organizations answer mrr, nextRenewalDate, churnedAt and
 *     trialEndDate at the top level (null when unset), taken out of `traits` where they are set; users
 *     answer `accounts` and `organizations`, arrays of embedded records {id, externalId, name, traits},
 *     in place of accountIds and organizationIds;
 *   - traitDates 'epoch': a trait value that is a string holding an ISO 8601 date or date-time is
 *     answered as milliseconds since the epoch (no offset: UTC). Top-level values stay as sent.
 */

import { isIsoDate, isIsoDateTime } from './fields.js';
import type { Ctx } from './resources.js';
import type { RecordType, SandboxRecord } from './store.js';

/** Set through traits, answered at the top level by the live shape. */
export const TOP_LEVEL_TRAITS = ['mrr', 'nextRenewalDate', 'churnedAt', 'trialEndDate'] as const;

/** Milliseconds since the epoch of an ISO 8601 date or date-time, read as UTC when it has no offset. */
export function isoToEpochMs(s: string): number | null {
  if (isIsoDate(s)) return Date.parse(`${s}T00:00:00Z`);
  if (!isIsoDateTime(s)) return null;
  const m = /^(.*T\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return null;
  const fraction = m[2] ? `.${(m[2].slice(1) + '00').slice(0, 3)}` : '';
  const offset = m[3] === undefined || m[3].toUpperCase() === 'Z' ? 'Z' : m[3].replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${m[1]}${fraction}${offset}`);
  return Number.isNaN(ms) ? null : ms;
}

function answeredTraits(ctx: Ctx, traits: Record<string, unknown>, omit: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(traits)) {
    if (omit.includes(k)) continue;
    const epoch = ctx.options.traitDates === 'epoch' && typeof v === 'string' ? isoToEpochMs(v) : null;
    out[k] = epoch ?? v;
  }
  return out;
}

type Keyed = 'accounts' | 'organizations' | 'users';

function isKeyed(type: RecordType): type is Keyed {
  return type === 'accounts' || type === 'organizations' || type === 'users';
}

function embedded(ctx: Ctx, type: 'accounts' | 'organizations', ids: string[]): unknown[] {
  return ids.flatMap((id) => {
    const rec = ctx.store.find(type, id, false);
    if (!rec) return [];
    const shown = view(ctx, type, rec);
    return [{ id: rec.id, externalId: rec.externalId, name: rec.name ?? null, traits: shown.traits }];
  });
}

/** The record as a client is shown it (the stored object itself when nothing changes). */
export function view(ctx: Ctx, type: RecordType, rec: SandboxRecord): Record<string, unknown> {
  if (!isKeyed(type)) return rec;
  const live = ctx.options.recordShape === 'live';
  if (!live && ctx.options.traitDates === 'as-sent') return rec;
  const traits = rec.traits as Record<string, unknown>;
  if (type === 'users') {
    const out: Record<string, unknown> = { ...rec, traits: answeredTraits(ctx, traits, []) };
    if (live) {
      const { accountIds, organizationIds, ...rest } = out;
      return {
        ...rest,
        accounts: embedded(ctx, 'accounts', accountIds as string[]),
        organizations: embedded(ctx, 'organizations', organizationIds as string[]),
      };
    }
    return out;
  }
  if (!live) return { ...rec, traits: answeredTraits(ctx, traits, []) };
  const { traits: _traits, createdAt, updatedAt, ...rest } = rec;
  const top = Object.fromEntries(TOP_LEVEL_TRAITS.map((k) => [k, traits[k] ?? null]));
  return { ...rest, ...top, traits: answeredTraits(ctx, traits, TOP_LEVEL_TRAITS), createdAt, updatedAt };
}
