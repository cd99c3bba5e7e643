/**
 * NPS responses: POST /resources/npsResponses with `userId` (a Vitally user id), `score` (an integer
 * 0-10), `respondedAt` (ISO 8601 date-time), optional `feedback` and `externalId`. externalId is unique,
 * as Vitally's docs say: a POST repeating one updates that response. GET, PUT and DELETE take the
 * Vitally id or the externalId; lists page as the other resources do.
 */

import { HttpError, badRequest, type Reply } from './http.js';
import { checkExternalIdUnchanged, checkRef, checkShape, requireFields, type Shape } from './fields.js';
import type { Ctx } from './resources.js';
import type { SandboxRecord } from './store.js';

const SHAPE: Shape = {
  externalId: { kind: 'key' },
  userId: { kind: 'key' },
  score: { kind: 'integer' },
  respondedAt: { kind: 'datetime' },
  feedback: { kind: 'string', nullable: true },
};
const READ_ONLY = ['user', 'account', 'accountId', 'organization', 'organizationId'];
const WRITABLE = ['userId', 'score', 'respondedAt', 'feedback'] as const;

function check(ctx: Ctx, body: Record<string, unknown>): void {
  checkShape(body, SHAPE, READ_ONLY);
  if (typeof body.score === 'number' && (body.score < 0 || body.score > 10)) badRequest('score must be an integer from 0 to 10');
  if (typeof body.userId === 'string') checkRef(ctx.store, 'users', body.userId);
}

function apply(ctx: Ctx, rec: SandboxRecord, body: Record<string, unknown>): void {
  for (const f of WRITABLE) if (body[f] !== undefined) rec[f] = body[f];
  ctx.store.touch('npsResponses', rec);
}

function byKey(ctx: Ctx, key: string): SandboxRecord {
  const rec = ctx.store.find('npsResponses', key, true);
  if (!rec) throw new HttpError(404, `NPS response ${JSON.stringify(key)} not found`);
  return rec;
}

export function createNps(ctx: Ctx, body: Record<string, unknown>): Reply {
  check(ctx, body);
  requireFields(body, ['userId', 'score', 'respondedAt']);
  const externalId = typeof body.externalId === 'string' ? body.externalId : null;
  const existing = externalId === null ? undefined : ctx.store.findByExternalId('npsResponses', externalId);
  if (existing) {
    apply(ctx, existing, body);
    return { status: 200, body: existing };
  }
  const rec = ctx.store.insert('npsResponses', externalId, { userId: null, score: null, feedback: null, respondedAt: null });
  apply(ctx, rec, body);
  return { status: 200, body: rec };
}

export function getNps(ctx: Ctx, key: string): Reply {
  return { status: 200, body: byKey(ctx, key) };
}

export function putNps(ctx: Ctx, key: string, body: Record<string, unknown>): Reply {
  check(ctx, body);
  const rec = byKey(ctx, key);
  checkExternalIdUnchanged(body, rec.externalId);
  apply(ctx, rec, body);
  return { status: 200, body: rec };
}

export function deleteNps(ctx: Ctx, key: string): Reply {
  const rec = byKey(ctx, key);
  ctx.store.remove('npsResponses', rec.id);
  return { status: 200, body: rec };
}
