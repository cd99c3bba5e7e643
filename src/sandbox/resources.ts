/**
 * Accounts, organizations and users: the keyed resources (externalId is their natural key, and the path
 * accepts the Vitally id or the externalId). Each kind is a table of writable fields plus a `resolve`
 * step that checks relations and returns the fields to write; nothing is written until all checks pass.
 * What Vitally does is unconfirmed for a PUT on an unknown key (putUnknown), a POST repeating an
 * externalId (postExisting), a user PUT's links (userLinks) and an account rename (accountRename): each
 * is an option. Answers go through view() (shapes.ts), which gives the live record shape when asked.
 */

import type { ResolvedSandboxOptions } from './index.js';
import { HttpError, badRequest, type Reply } from './http.js';
import { checkExternalIdUnchanged, checkRef, checkShape, mergeTraits, requireFields, traitsOf, type Shape } from './fields.js';
import { view } from './shapes.js';
import { blankFields, type SandboxRecord, type SandboxStore } from './store.js';

export interface Ctx {
  store: SandboxStore;
  options: ResolvedSandboxOptions;
  /** ISO time the sandbox started (default createdAt of custom fields). */
  startedAt: string;
}

export type KeyedType = 'accounts' | 'organizations' | 'users';

interface KeyedKind {
  label: string;
  shape: Shape;
  readOnly: readonly string[];
  /** Required on create, besides externalId. */
  required: readonly string[];
  /** Check relations; return the standard fields to write (traits are merged separately). */
  resolve(ctx: Ctx, body: Record<string, unknown>, current: SandboxRecord | null): Record<string, unknown>;
}

const nullableString = { kind: 'string', nullable: true } as const;

const ACCOUNT: KeyedKind = {
  label: 'Account',
  shape: {
    externalId: { kind: 'key' },
    name: { kind: 'string' },
    organizationId: { kind: 'key', nullable: true },
    accountOwnerId: { kind: 'null' },
    traits: { kind: 'object' },
  },
  readOnly: [
    'avatar',
    'firstSeenTimestamp',
    'lastSeenTimestamp',
    'lastInboundMessageTimestamp',
    'lastOutboundMessageTimestamp',
    'usersCount',
    'npsDetractorCount',
    'npsPassiveCount',
    'npsPromoterCount',
    'npsScore',
    'healthScore',
    'csmId',
    'accountExecutiveId',
    'keyRoles',
    'segments',
    'churnedAt',
    'mrr',
    'nextRenewalDate',
    'trialEndDate',
  ],
  required: ['name'],
  resolve({ store }, body) {
    const out: Record<string, unknown> = {};
    if (body.name !== undefined) out.name = body.name;
    if (body.accountOwnerId !== undefined) out.accountOwnerId = null;
    if (body.organizationId === null) out.organizationId = null;
    else if (typeof body.organizationId === 'string') {
      // The one relation documented (3p) to take a Vitally id OR an organization externalId.
      const org = store.find('organizations', body.organizationId, true);
      if (!org) badRequest(`Unknown organization id: ${body.organizationId}`);
      out.organizationId = org.id;
    }
    return out;
  },
};

const ORGANIZATION: KeyedKind = {
  label: 'Organization',
  shape: { externalId: { kind: 'key' }, name: { kind: 'string' }, traits: { kind: 'object' } },
  readOnly: [
    'avatar',
    'organizationOwnerId',
    'usersCount',
    'accountsCount',
    'healthScore',
    'csmId',
    'npsDetractorCount',
    'npsPassiveCount',
    'npsPromoterCount',
    'npsScore',
    'segments',
    'churnedAt',
    'mrr',
    'nextRenewalDate',
    'trialEndDate',
  ],
  required: ['name'],
  resolve(_ctx, body) {
    return body.name === undefined ? {} : { name: body.name };
  },
};

const USER: KeyedKind = {
  label: 'User',
  shape: {
    externalId: { kind: 'key' },
    name: nullableString,
    email: nullableString,
    avatar: nullableString,
    joinDate: { kind: 'date', nullable: true },
    unsubscribedFromConversations: { kind: 'boolean' },
    accountIds: { kind: 'stringArray' },
    organizationIds: { kind: 'stringArray' },
    traits: { kind: 'object' },
  },
  readOnly: [
    'firstKnown',
    'lastSeenTimestamp',
    'lastInboundMessageTimestamp',
    'lastOutboundMessageTimestamp',
    'npsLastScore',
    'npsLastFeedback',
    'npsLastRespondedAt',
    'deactivatedAt',
    'segments',
    'accounts',
    'organizations',
  ],
  required: [],
  resolve({ store, options }, body, current) {
    const out: Record<string, unknown> = {};
    for (const f of ['name', 'email', 'avatar', 'joinDate', 'unsubscribedFromConversations']) {
      if (body[f] !== undefined) out[f] = body[f];
    }
    // accountIds / organizationIds given on PUT replace the stored list (userLinks 'replace', what
    // production code shows: a client that means "add" sends the union) or are added to it ('merge').
    // They take Vitally ids only; an externalId is answered 400 like any unknown id.
    for (const [field, type] of [
      ['accountIds', 'accounts'],
      ['organizationIds', 'organizations'],
    ] as const) {
      const ids = body[field] as string[] | undefined;
      if (ids === undefined) continue;
      for (const id of ids) checkRef(store, type, id);
      const kept = options.userLinks === 'merge' ? ((current?.[field] ?? []) as string[]) : [];
      out[field] = [...new Set([...kept, ...ids])];
    }
    const accounts = (out.accountIds ?? current?.accountIds ?? []) as string[];
    const orgs = (out.organizationIds ?? current?.organizationIds ?? []) as string[];
    if (accounts.length === 0 && orgs.length === 0) {
      badRequest('accountIds or organizationIds is required: a user needs at least one account or organization');
    }
    return out;
  },
};

export const KEYED: Record<KeyedType, KeyedKind> = { accounts: ACCOUNT, organizations: ORGANIZATION, users: USER };

function notFound(kind: KeyedKind, key: string): never {
  throw new HttpError(404, `${kind.label} ${JSON.stringify(key)} not found`);
}

function createRecord(ctx: Ctx, type: KeyedType, externalId: string, body: Record<string, unknown>): SandboxRecord {
  const kind = KEYED[type];
  requireFields(body, kind.required);
  const fields = kind.resolve(ctx, body, null);
  return ctx.store.insert(type, externalId, { ...blankFields(type), ...fields, traits: traitsOf(body.traits) });
}

/** Whether the account name may change (accountRename 'refuse': only at creation). */
function renames(ctx: Ctx, type: KeyedType): boolean {
  return type !== 'accounts' || ctx.options.accountRename === 'accept';
}

function updateRecord(ctx: Ctx, type: KeyedType, rec: SandboxRecord, body: Record<string, unknown>): void {
  const fields = KEYED[type].resolve(ctx, body, rec);
  if (!renames(ctx, type)) delete fields.name;
  Object.assign(rec, fields);
  if (body.traits !== undefined) mergeTraits(rec.traits as Record<string, unknown>, body.traits as Record<string, unknown>);
  ctx.store.touch(type, rec);
}

export function createKeyed(ctx: Ctx, type: KeyedType, body: Record<string, unknown>): Reply {
  const kind = KEYED[type];
  checkShape(body, kind.shape, kind.readOnly);
  requireFields(body, ['externalId']);
  const externalId = body.externalId as string;
  const existing = ctx.store.findByExternalId(type, externalId);
  if (!existing || ctx.options.postExisting === 'duplicate') {
    return { status: 200, body: view(ctx, type, createRecord(ctx, type, externalId, body)) };
  }
  if (ctx.options.postExisting === 'conflict') {
    throw new HttpError(409, `${kind.label} with externalId ${JSON.stringify(externalId)} already exists`);
  }
  // postExisting 'update': the body is still a create body (its checks apply), merged as a PUT, except
  // that a name the account may not change through a PUT is not changed by this route either.
  requireFields(body, kind.required);
  kind.resolve(ctx, body, null);
  updateRecord(ctx, type, existing, body);
  return { status: 200, body: view(ctx, type, existing) };
}

export function getKeyed(ctx: Ctx, type: KeyedType, key: string): Reply {
  const rec = ctx.store.find(type, key, true);
  if (!rec) notFound(KEYED[type], key);
  return { status: 200, body: view(ctx, type, rec) };
}

export function putKeyed(ctx: Ctx, type: KeyedType, key: string, body: Record<string, unknown>): Reply {
  const kind = KEYED[type];
  checkShape(body, kind.shape, kind.readOnly);
  const rec = ctx.store.find(type, key, true);
  if (!rec) {
    if (ctx.options.putUnknown !== 'create') notFound(kind, key);
    // putUnknown 'create': the path segment becomes the externalId; required fields still apply.
    checkExternalIdUnchanged(body, key);
    return { status: 200, body: view(ctx, type, createRecord(ctx, type, key, body)) };
  }
  checkExternalIdUnchanged(body, rec.externalId);
  if (body.name !== undefined && !renames(ctx, type)) {
    badRequest('name is not editable through the REST API: an account keeps the name it was created with');
  }
  updateRecord(ctx, type, rec, body);
  return { status: 200, body: view(ctx, type, rec) };
}

/**
 * DELETE is permanent. Deleting an account (per Vitally's FAQ) also deletes the notes and tasks tied only
 * to it and the users left with no account or organization; organizations are handled the same way,
 * and accounts of a deleted organization lose the link.
 */
export function deleteKeyed(ctx: Ctx, type: KeyedType, key: string): Reply {
  const { store } = ctx;
  const rec = store.find(type, key, true);
  if (!rec) notFound(KEYED[type], key);
  const answer = view(ctx, type, rec);
  store.remove(type, rec.id);
  if (type === 'users') return { status: 200, body: answer };
  const idField = type === 'accounts' ? 'accountId' : 'organizationId';
  const listField = type === 'accounts' ? 'accountIds' : 'organizationIds';
  for (const user of store.values('users')) {
    const ids = user[listField] as string[];
    if (!ids.includes(rec.id)) continue;
    user[listField] = ids.filter((id) => id !== rec.id);
    if ((user.accountIds as string[]).length === 0 && (user.organizationIds as string[]).length === 0) {
      store.remove('users', user.id);
    } else store.touch('users', user);
  }
  for (const t of ['notes', 'tasks'] as const) {
    for (const item of store.values(t)) {
      if (item[idField] !== rec.id) continue;
      const other = type === 'accounts' ? item.organizationId : item.accountId;
      if (other) item[idField] = null;
      else store.remove(t, item.id);
    }
  }
  for (const conv of store.values('conversations')) {
    conv[listField] = (conv[listField] as string[]).filter((id) => id !== rec.id);
  }
  if (type === 'organizations') {
    for (const acc of store.values('accounts')) {
      if (acc.organizationId === rec.id) acc.organizationId = null;
    }
  }
  return { status: 200, body: answer };
}
