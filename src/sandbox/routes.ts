/** The REST route table: path segments below /resources -> handlers per method. */

import type { Reply } from './http.js';
import { createKeyed, deleteKeyed, getKeyed, putKeyed, type Ctx, type KeyedType } from './resources.js';
import { archiveActivity, createActivity, getActivity, putActivity, type ActivityType } from './activities.js';
import { createConversation, deleteConversation, getConversation, putConversation } from './conversations.js';
import { childList, customFields, listAdmins, listPage, searchAdmins, searchUsers } from './lists.js';

export interface RestCall {
  /** Path parameters, URL-decoded. */
  params: string[];
  query: URLSearchParams;
  /** The JSON object body; throws the 415/400 answer when it is not one. */
  body: () => Record<string, unknown>;
}

export type Handler = (ctx: Ctx, call: RestCall) => Reply;
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Routes = Partial<Record<Method, Handler>>;

const KEYED: readonly string[] = ['accounts', 'organizations', 'users'];
const ACTIVITIES: readonly string[] = ['notes', 'tasks'];

const p = (call: RestCall, i: number): string => call.params[i] as string;

/** Routes for the segments below /resources, or null when no such path exists (404). */
export function restRoutes(segs: readonly string[]): Routes | null {
  const [a, b, c] = segs;
  if (a === undefined || segs.length > 3) return null;
  if (segs.length === 1) {
    if (a === 'admins') return { GET: (ctx, call) => listAdmins(ctx, call.query) };
    if (a === 'customFields') return { GET: (ctx, call) => customFields(ctx, call.query) };
    if (KEYED.includes(a)) {
      const type = a as KeyedType;
      return {
        GET: (ctx, call) => listPage(ctx, type, call.query),
        POST: (ctx, call) => createKeyed(ctx, type, call.body()),
      };
    }
    if (ACTIVITIES.includes(a)) {
      const type = a as ActivityType;
      return {
        GET: (ctx, call) => listPage(ctx, type, call.query),
        POST: (ctx, call) => createActivity(ctx, type, call.body()),
      };
    }
    if (a === 'conversations') {
      return {
        GET: (ctx, call) => listPage(ctx, 'conversations', call.query),
        POST: (ctx, call) => createConversation(ctx, call.body()),
      };
    }
    return null;
  }
  if (segs.length === 2) {
    if (b === 'search' && a === 'admins') return { GET: (ctx, call) => searchAdmins(ctx, call.query) };
    if (b === 'search' && a === 'users') return { GET: (ctx, call) => searchUsers(ctx, call.query) };
    if (KEYED.includes(a)) {
      const type = a as KeyedType;
      return {
        GET: (ctx, call) => getKeyed(ctx, type, p(call, 0)),
        PUT: (ctx, call) => putKeyed(ctx, type, p(call, 0), call.body()),
        DELETE: (ctx, call) => deleteKeyed(ctx, type, p(call, 0)),
      };
    }
    if (ACTIVITIES.includes(a)) {
      const type = a as ActivityType;
      return {
        GET: (ctx, call) => getActivity(ctx, type, p(call, 0)),
        PUT: (ctx, call) => putActivity(ctx, type, p(call, 0), call.body()),
        DELETE: (ctx, call) => archiveActivity(ctx, type, p(call, 0)),
      };
    }
    if (a === 'conversations') {
      return {
        GET: (ctx, call) => getConversation(ctx, p(call, 0)),
        PUT: (ctx, call) => putConversation(ctx, p(call, 0), call.body()),
        DELETE: (ctx, call) => deleteConversation(ctx, p(call, 0)),
      };
    }
    return null;
  }
  if ((a === 'accounts' || a === 'organizations') && c !== undefined) {
    const children = a === 'accounts' ? ['users', 'notes', 'tasks', 'conversations'] : ['accounts', 'users', 'notes', 'tasks', 'conversations'];
    if (!children.includes(c)) return null;
    return { GET: (ctx, call) => childList(ctx, a, p(call, 0), c, call.query) };
  }
  return null;
}

/** The path parameters of a route: every segment that is not a fixed name. */
export function paramsOf(segs: readonly string[]): string[] {
  if (segs.length === 2 && segs[1] === 'search' && (segs[0] === 'users' || segs[0] === 'admins')) return [];
  return segs.length >= 2 ? [segs[1] as string] : [];
}
