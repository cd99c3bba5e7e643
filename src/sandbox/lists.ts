/**
 * Read-only endpoints: paginated lists (`{results, next}`), per-parent lists, searches, admins and the
 * custom-field catalogue.
 *
 * Paging follows Vitally's docs: `limit` 1..100 (default 100; anything else is 400), `from` = the opaque
 * base64 `next` cursor of the previous page, `sortBy` updatedAt (default) or createdAt, newest first.
 * As documented, paging by updatedAt while records change can skip some. Filters: accounts (and an
 * organization's accounts) take `status=active|churned|activeOrChurned`, default `active` as reported by
 * third parties, churned meaning traits.churnedAt is set; notes/tasks take `archived=true|false`
 * (absent: both).
 *
 * Options change how a list ends and what it carries: listEnd 'empty-page' gives the last page a `next`
 * that answers an empty page whose `next` is still set (a client must stop on an empty page as well as on
 * a null `next`); conversationAtEnd adds `atEnd` to conversation pages. Records are answered through
 * view() (shapes.ts).
 */

import { HttpError, badRequest, type Reply } from './http.js';
import type { Ctx } from './resources.js';
import { withoutMessages } from './conversations.js';
import { normalizeModel } from './options.js';
import { view } from './shapes.js';
import type { RecordType, SandboxRecord } from './store.js';

const MODELS = ['accounts', 'users', 'organizations', 'notes', 'tasks', 'conversations', 'customObjects', 'projects', 'team'];

export function pageSize(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null) return 100;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 100) badRequest('limit must be an integer between 1 and 100');
  return n;
}

function encodeCursor(sortBy: string, key: number): string {
  return Buffer.from(JSON.stringify({ s: sortBy, k: key })).toString('base64');
}

function decodeCursor(raw: string, sortBy: string): number {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { s?: unknown; k?: unknown };
    if (c.s === sortBy && typeof c.k === 'number') return c.k;
  } catch {
    // fall through
  }
  badRequest('Invalid cursor in from (pass the next value of the previous page, with the same sortBy)');
}

function statusFilter(query: URLSearchParams): (r: SandboxRecord) => boolean {
  const status = query.get('status') ?? 'active';
  const churned = (r: SandboxRecord) => {
    const v = (r.traits as Record<string, unknown>).churnedAt;
    return v !== undefined && v !== null && v !== '';
  };
  if (status === 'active') return (r) => !churned(r);
  if (status === 'churned') return churned;
  if (status === 'activeOrChurned') return () => true;
  badRequest('status must be active, churned or activeOrChurned');
}

function archivedFilter(query: URLSearchParams): (r: SandboxRecord) => boolean {
  const archived = query.get('archived');
  if (archived === null) return () => true;
  if (archived !== 'true' && archived !== 'false') badRequest('archived must be true or false');
  return (r) => (r.archivedAt !== null) === (archived === 'true');
}

/** One page of `type`, newest first, optionally restricted to the records `where` accepts. */
export function listPage(ctx: Ctx, type: RecordType, query: URLSearchParams, where?: (r: SandboxRecord) => boolean): Reply {
  const limit = pageSize(query);
  const sortBy = query.get('sortBy') ?? 'updatedAt';
  if (sortBy !== 'updatedAt' && sortBy !== 'createdAt') badRequest('sortBy must be updatedAt or createdAt');
  const from = query.get('from');
  const after = from === null || from === '' ? Infinity : decodeCursor(from, sortBy);
  const extra = type === 'accounts' ? statusFilter(query) : type === 'notes' || type === 'tasks' ? archivedFilter(query) : undefined;
  const page: Array<{ rec: SandboxRecord; key: number }> = [];
  const rows = ctx.store.sorted(type, sortBy);
  // Keys descend: the page starts at the first key below the cursor's, found by bisection.
  let lo = 0;
  for (let hi = rows.length; lo < hi;) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.key >= after) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < rows.length; i++) {
    const row = rows[i]!;
    if (where && !where(row.rec)) continue;
    if (extra && !extra(row.rec)) continue;
    page.push(row);
    if (page.length > limit) break;
  }
  const more = page.length > limit;
  if (more) page.pop();
  const last = page[page.length - 1];
  const results = page.map((r) => (type === 'conversations' ? withoutMessages(r.rec) : view(ctx, type, r.rec)));
  const next = pageEnd(ctx, more, last && encodeCursor(sortBy, last.key), from);
  return { status: 200, body: { results, next, ...(type === 'conversations' && ctx.options.conversationAtEnd ? { atEnd: !more } : {}) } };
}

/** The `next` of a page: the cursor after its last record when more follow; at the end, null, or with
 *  listEnd 'empty-page' that cursor still (and, on the empty page it leads to, the same cursor again). */
function pageEnd(ctx: Ctx, more: boolean, lastCursor: string | undefined, from: string | null): string | null {
  if (more) return lastCursor ?? null;
  if (ctx.options.listEnd !== 'empty-page') return null;
  return lastCursor ?? (from || null);
}

/** A page of a fixed list (admins, custom object definitions), its cursor an offset into it. */
export function offsetPage(ctx: Ctx, items: readonly unknown[], query: URLSearchParams, tag: string): Reply {
  const limit = pageSize(query);
  const from = query.get('from');
  const start = from ? decodeCursor(from, tag) : 0;
  const results = items.slice(start, start + limit);
  const end = start + results.length;
  const next = pageEnd(ctx, end < items.length, results.length > 0 ? encodeCursor(tag, end) : undefined, from);
  return { status: 200, body: { results, next } };
}

/** GET /resources/{accounts|organizations}/:idOrExternalId/<child> (the route table knows the children). */
export function childList(ctx: Ctx, parent: 'accounts' | 'organizations', key: string, child: string, query: URLSearchParams): Reply {
  const rec = ctx.store.find(parent, key, true);
  if (!rec) throw new HttpError(404, `${parent === 'accounts' ? 'Account' : 'Organization'} ${JSON.stringify(key)} not found`);
  const id = rec.id;
  const one = parent === 'accounts' ? 'accountId' : 'organizationId';
  const many = parent === 'accounts' ? 'accountIds' : 'organizationIds';
  const linked = (r: SandboxRecord | undefined): boolean => r !== undefined && (r[many] as string[]).includes(id);
  const where = (r: SandboxRecord): boolean => {
    if (child === 'users' || child === 'conversations') return linked(r);
    // An NPS response belongs to the accounts and organizations of the user who gave it.
    if (child === 'npsResponses') return linked(ctx.store.find('users', r.userId as string, false));
    return r[one] === id;
  };
  return listPage(ctx, child as RecordType, query, where);
}

/** GET /resources/users/search: exactly one of email (case-insensitive) or externalId. Not paginated. */
export function searchUsers(ctx: Ctx, query: URLSearchParams): Reply {
  const given = ['email', 'externalId', 'emailSubdomain'].filter((k) => query.has(k));
  if (given.length !== 1 || given[0] === 'emailSubdomain') {
    badRequest('Give exactly one of the query parameters email, externalId');
  }
  const email = query.get('email');
  const externalId = query.get('externalId');
  const results = ctx.store
    .values('users')
    .filter((u) => (email !== null ? typeof u.email === 'string' && u.email.toLowerCase() === email.toLowerCase() : u.externalId === externalId));
  return { status: 200, body: { results: results.map((u) => view(ctx, 'users', u)) } };
}

export function listAdmins(ctx: Ctx, query: URLSearchParams): Reply {
  return offsetPage(ctx, ctx.store.admins, query, 'admins');
}

export function searchAdmins(ctx: Ctx, query: URLSearchParams): Reply {
  const email = query.get('email');
  if (!email) badRequest('email is required');
  const results = ctx.store.admins.filter((a) => a.email.toLowerCase() === email.toLowerCase());
  return { status: 200, body: { results } };
}

/**
 * GET /resources/customFields?model=...: a bare array. With model=customObjects the fields of the
 * custom object definitions follow those of the customFields option (each with its customObjectId), and
 * `customObjectId=<id>` keeps one definition's.
 */
export function customFields(ctx: Ctx, query: URLSearchParams): Reply {
  const model = query.get('model');
  if (!model || !MODELS.includes(model)) badRequest(`model is required, one of: ${MODELS.join(', ')}`);
  const field = (f: { label: string; path: string; type: string; options?: string[] }) => ({
    label: f.label,
    path: f.path,
    type: f.type,
    ...(f.options ? { options: f.options } : {}),
  });
  const coId = query.get('customObjectId');
  const body: unknown[] =
    coId !== null
      ? []
      : ctx.options.customFields.filter((f) => normalizeModel(f.model) === model).map((f) => ({ ...field(f), createdAt: f.createdAt ?? ctx.startedAt }));
  if (model === 'customObjects') {
    for (const def of ctx.options.customObjects) {
      if (coId !== null && def.id !== coId) continue;
      for (const f of def.fields) body.push({ id: f.id, ...field(f), customObjectId: def.id, createdAt: ctx.startedAt });
    }
  }
  return { status: 200, body };
}
