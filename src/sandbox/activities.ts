/**
 * Notes and tasks. Addressed by Vitally id only (Vitally takes an externalId in their path only together
 * with `?source=<integration>`, whose value for REST-created records is unknown, so the sandbox does not
 * offer it). externalId is unique: a POST with a known externalId updates that record (answer 200).
 * DELETE archives (sets archivedAt) and answers the archived record.
 */

import { HttpError, badRequest, type Reply } from './http.js';
import { checkAdmin, checkExternalIdUnchanged, checkRef, checkShape, mergeTraits, requireFields, traitsOf, type Shape } from './fields.js';
import type { Ctx } from './resources.js';
import type { SandboxRecord } from './store.js';

export type ActivityType = 'notes' | 'tasks';

interface ActivityKind {
  label: string;
  shape: Shape;
  readOnly: readonly string[];
  required: readonly string[];
  /** Fields holding admin ids. */
  adminFields: readonly string[];
  /** Every standard field with its default, in answer order (traits and archivedAt follow). */
  defaults: Record<string, unknown>;
}

const nullableKey = { kind: 'key', nullable: true } as const;
const nullableString = { kind: 'string', nullable: true } as const;
const ACTIVITY_READ_ONLY = ['archivedAt', 'account', 'organization', 'category', 'users', 'source'] as const;

const NOTE: ActivityKind = {
  label: 'Note',
  shape: {
    externalId: { kind: 'key' },
    accountId: nullableKey,
    organizationId: nullableKey,
    note: { kind: 'string' },
    noteDate: { kind: 'datetime' },
    subject: nullableString,
    authorId: nullableKey,
    categoryId: nullableKey,
    tags: { kind: 'stringArray' },
    traits: { kind: 'object' },
  },
  readOnly: [...ACTIVITY_READ_ONLY, 'author', 'meetingDescription'],
  required: ['note', 'noteDate'],
  adminFields: ['authorId'],
  defaults: {
    accountId: null,
    organizationId: null,
    subject: null,
    note: null,
    noteDate: null,
    authorId: null,
    categoryId: null,
    tags: [],
  },
};

const TASK: ActivityKind = {
  label: 'Task',
  shape: {
    externalId: { kind: 'key' },
    name: { kind: 'string' },
    accountId: nullableKey,
    organizationId: nullableKey,
    description: nullableString,
    dueDate: { kind: 'date', nullable: true },
    assignedToId: nullableKey,
    completedById: nullableKey,
    completedAt: { kind: 'datetime', nullable: true },
    categoryId: nullableKey,
    tags: { kind: 'stringArray' },
    traits: { kind: 'object' },
  },
  readOnly: [...ACTIVITY_READ_ONLY, 'assignedTo', 'completedBy', 'project', 'projectId'],
  required: ['name'],
  adminFields: ['assignedToId', 'completedById'],
  defaults: {
    name: null,
    accountId: null,
    organizationId: null,
    description: null,
    dueDate: null,
    assignedToId: null,
    completedById: null,
    completedAt: null,
    categoryId: null,
    tags: [],
  },
};

const KINDS: Record<ActivityType, ActivityKind> = { notes: NOTE, tasks: TASK };

/** Check relations; returns the standard fields to write (traits excluded). */
function resolve(ctx: Ctx, kind: ActivityKind, body: Record<string, unknown>, current: SandboxRecord | null) {
  if (typeof body.accountId === 'string') checkRef(ctx.store, 'accounts', body.accountId);
  if (typeof body.organizationId === 'string') checkRef(ctx.store, 'organizations', body.organizationId);
  for (const f of kind.adminFields) checkAdmin(ctx.store, f, body[f]);
  const account = body.accountId !== undefined ? body.accountId : (current?.accountId ?? null);
  const org = body.organizationId !== undefined ? body.organizationId : (current?.organizationId ?? null);
  if (account === null && org === null) badRequest('accountId or organizationId is required');
  const out: Record<string, unknown> = {};
  for (const f of Object.keys(kind.defaults)) {
    if (body[f] !== undefined) out[f] = structuredClone(body[f]);
  }
  return out;
}

function update(ctx: Ctx, type: ActivityType, rec: SandboxRecord, body: Record<string, unknown>): void {
  const fields = resolve(ctx, KINDS[type], body, rec);
  Object.assign(rec, fields);
  if (body.traits !== undefined) mergeTraits(rec.traits as Record<string, unknown>, body.traits as Record<string, unknown>);
  ctx.store.touch(type, rec);
}

function byId(ctx: Ctx, type: ActivityType, id: string): SandboxRecord {
  const rec = ctx.store.find(type, id, false);
  if (!rec) throw new HttpError(404, `${KINDS[type].label} ${JSON.stringify(id)} not found`);
  return rec;
}

export function createActivity(ctx: Ctx, type: ActivityType, body: Record<string, unknown>): Reply {
  const kind = KINDS[type];
  checkShape(body, kind.shape, kind.readOnly);
  requireFields(body, kind.required);
  const externalId = typeof body.externalId === 'string' ? body.externalId : null;
  const existing = externalId === null ? undefined : ctx.store.findByExternalId(type, externalId);
  if (existing) {
    resolve(ctx, kind, body, null); // still a create body: it must name its account or organization
    update(ctx, type, existing, body);
    return { status: 200, body: existing };
  }
  const fields = resolve(ctx, kind, body, null);
  const rec = ctx.store.insert(type, externalId, {
    ...kind.defaults,
    ...fields,
    traits: traitsOf(body.traits),
    archivedAt: null,
  });
  return { status: 200, body: rec };
}

export function getActivity(ctx: Ctx, type: ActivityType, id: string): Reply {
  return { status: 200, body: byId(ctx, type, id) };
}

export function putActivity(ctx: Ctx, type: ActivityType, id: string, body: Record<string, unknown>): Reply {
  const kind = KINDS[type];
  checkShape(body, kind.shape, kind.readOnly);
  const rec = byId(ctx, type, id);
  checkExternalIdUnchanged(body, rec.externalId);
  update(ctx, type, rec, body);
  return { status: 200, body: rec };
}

export function archiveActivity(ctx: Ctx, type: ActivityType, id: string): Reply {
  const rec = byId(ctx, type, id);
  if (rec.archivedAt === null) {
    rec.archivedAt = new Date().toISOString();
    ctx.store.touch(type, rec);
  }
  return { status: 200, body: rec };
}
