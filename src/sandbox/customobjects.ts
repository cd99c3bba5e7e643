/**
 * Custom objects: definitions seeded through the customObjects option (GET /resources/customObjects,
 * a bare array or a `{results, next}` page as customObjectsList says; GET .../:id), and their instances:
 *   GET    /resources/customObjects/:id/instances                     a page
 *   GET    /resources/customObjects/:id/instances/search?<one of>     a bare array; id, externalId,
 *          customerId, organizationId, or customFieldId with customFieldValue
 *   POST   /resources/customObjects/:id/instances                     create (a repeated externalId: postExisting)
 *   PUT    /resources/customObjects/:id/instances/:instanceId         update, traits merged (null removes)
 *   DELETE /resources/customObjects/:id/instances/:instanceId
 * An instance holds `name` (required), `externalId` (editable, unique within its custom object),
 * `customerId` (an account's Vitally id) and `organizationId` (an organization's), and `traits`.
 */

import { HttpError, badRequest, type Reply } from './http.js';
import { checkRef, checkShape, mergeTraits, requireFields, traitsOf, type Shape } from './fields.js';
import { listPage, offsetPage } from './lists.js';
import type { Ctx } from './resources.js';
import { instanceKey, type SandboxRecord } from './store.js';

type Definition = Ctx['options']['customObjects'][number];

const SHAPE: Shape = {
  name: { kind: 'key' },
  externalId: { kind: 'key', nullable: true },
  customerId: { kind: 'key', nullable: true },
  organizationId: { kind: 'key', nullable: true },
  traits: { kind: 'object' },
};
const READ_ONLY = ['customObjectId', 'account', 'organization'];
const SEARCH_KEYS = ['id', 'externalId', 'customerId', 'organizationId', 'customFieldId'] as const;

function answerDefinition(ctx: Ctx, def: Definition): Record<string, unknown> {
  return { id: def.id, name: def.name, label: def.label, fields: def.fields, createdAt: ctx.startedAt, updatedAt: ctx.startedAt };
}

export function definition(ctx: Ctx, id: string): Definition {
  const def = ctx.options.customObjects.find((d) => d.id === id);
  if (!def) throw new HttpError(404, `Custom object ${JSON.stringify(id)} not found`);
  return def;
}

export function listCustomObjects(ctx: Ctx, query: URLSearchParams): Reply {
  const all = ctx.options.customObjects.map((d) => answerDefinition(ctx, d));
  return ctx.options.customObjectsList === 'array' ? { status: 200, body: all } : offsetPage(ctx, all, query, 'customObjects');
}

export function getCustomObject(ctx: Ctx, id: string): Reply {
  return { status: 200, body: answerDefinition(ctx, definition(ctx, id)) };
}

export function instancesOf(ctx: Ctx, coId: string): SandboxRecord[] {
  return ctx.store.values('customObjectInstances').filter((r) => r.customObjectId === coId);
}

export function listInstances(ctx: Ctx, coId: string, query: URLSearchParams): Reply {
  definition(ctx, coId);
  return listPage(ctx, 'customObjectInstances', query, (r) => r.customObjectId === coId);
}

export function searchInstances(ctx: Ctx, coId: string, query: URLSearchParams): Reply {
  const def = definition(ctx, coId);
  const given = SEARCH_KEYS.filter((k) => query.has(k));
  if (given.length !== 1) badRequest(`Give exactly one of the query parameters ${SEARCH_KEYS.join(', ')}`);
  const key = given[0] as (typeof SEARCH_KEYS)[number];
  const value = query.get(key) as string;
  let match: (r: SandboxRecord) => boolean = (r) => r[key] === value;
  if (key === 'customFieldId') {
    const field = def.fields.find((f) => f.id === value);
    if (!field) badRequest(`Unknown customFieldId: ${value}`);
    const wanted = query.get('customFieldValue');
    if (wanted === null) badRequest('customFieldValue is required with customFieldId');
    match = (r) => {
      const v = (r.traits as Record<string, unknown>)[field.path];
      return v !== undefined && v !== null && String(v) === wanted;
    };
  }
  return { status: 200, body: instancesOf(ctx, coId).filter(match) };
}

/** Check an instance body's shape and relations (customerId / organizationId are Vitally ids). */
function check(ctx: Ctx, body: Record<string, unknown>): void {
  checkShape(body, SHAPE, READ_ONLY);
  if (typeof body.customerId === 'string') checkRef(ctx.store, 'accounts', body.customerId);
  if (typeof body.organizationId === 'string') checkRef(ctx.store, 'organizations', body.organizationId);
}

/** Write checked fields into an instance (traits merged, null removing). */
export function applyInstance(ctx: Ctx, rec: SandboxRecord, fields: Record<string, unknown>): void {
  for (const f of ['name', 'customerId', 'organizationId'] as const) if (fields[f] !== undefined) rec[f] = fields[f];
  if (fields.traits !== undefined) mergeTraits(rec.traits as Record<string, unknown>, fields.traits as Record<string, unknown>);
  ctx.store.touch('customObjectInstances', rec);
}

export function insertInstance(ctx: Ctx, coId: string, externalId: string | null, fields: Record<string, unknown>): SandboxRecord {
  const rec = ctx.store.insert(
    'customObjectInstances',
    externalId,
    { name: null, customObjectId: coId, customerId: null, organizationId: null, traits: traitsOf(fields.traits) },
    externalId === null ? null : instanceKey(coId, externalId),
  );
  applyInstance(ctx, rec, { ...fields, traits: undefined });
  return rec;
}

export function findInstance(ctx: Ctx, coId: string, externalId: string): SandboxRecord | undefined {
  return ctx.store.findByExternalId('customObjectInstances', instanceKey(coId, externalId));
}

export function createInstance(ctx: Ctx, coId: string, body: Record<string, unknown>): Reply {
  definition(ctx, coId);
  check(ctx, body);
  requireFields(body, ['name']);
  const externalId = typeof body.externalId === 'string' ? body.externalId : null;
  const existing = externalId === null ? undefined : findInstance(ctx, coId, externalId);
  if (existing && ctx.options.postExisting === 'conflict') {
    throw new HttpError(409, `Custom object instance with externalId ${JSON.stringify(externalId)} already exists`);
  }
  if (existing && ctx.options.postExisting === 'update') {
    applyInstance(ctx, existing, body);
    return { status: 200, body: existing };
  }
  return { status: 200, body: insertInstance(ctx, coId, externalId, body) };
}

function instanceById(ctx: Ctx, coId: string, id: string): SandboxRecord {
  definition(ctx, coId);
  const rec = ctx.store.find('customObjectInstances', id, false);
  if (!rec || rec.customObjectId !== coId) throw new HttpError(404, `Custom object instance ${JSON.stringify(id)} not found`);
  return rec;
}

export function putInstance(ctx: Ctx, coId: string, id: string, body: Record<string, unknown>): Reply {
  const rec = instanceById(ctx, coId, id);
  check(ctx, body);
  if (body.externalId !== undefined && body.externalId !== rec.externalId) {
    const next = body.externalId as string | null;
    const holder = next === null ? undefined : findInstance(ctx, coId, next);
    if (holder && holder.id !== rec.id) badRequest(`externalId ${JSON.stringify(next)} is already used by instance ${holder.id}`);
    rec.externalId = next;
    ctx.store.rekey('customObjectInstances', rec, next === null ? null : instanceKey(coId, next));
  }
  applyInstance(ctx, rec, body);
  return { status: 200, body: rec };
}

export function deleteInstance(ctx: Ctx, coId: string, id: string): Reply {
  const rec = instanceById(ctx, coId, id);
  ctx.store.remove('customObjectInstances', rec.id);
  return { status: 200, body: rec };
}
