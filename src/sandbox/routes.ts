/**
 * The REST route table: path patterns below /resources (`:x` matches any one segment, handed to the
 * handler in call.params) -> handlers per method. The first pattern that matches wins, so fixed names
 * (`users/search`) come before parameters (`users/:id`).
 */

import type { Reply } from './http.js';
import { createKeyed, deleteKeyed, getKeyed, putKeyed, type Ctx, type KeyedType } from './resources.js';
import { archiveActivity, createActivity, getActivity, putActivity, type ActivityType } from './activities.js';
import { createConversation, deleteConversation, getConversation, putConversation } from './conversations.js';
import { appendMessage, deleteMessage, getMessage } from './messages.js';
import { createNps, deleteNps, getNps, putNps } from './nps.js';
import { createInstance, deleteInstance, getCustomObject, listCustomObjects, listInstances, putInstance, searchInstances } from './customobjects.js';
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

const p = (call: RestCall, i: number): string => call.params[i] as string;

const KEYED: readonly KeyedType[] = ['accounts', 'organizations', 'users'];
const ACTIVITIES: readonly ActivityType[] = ['notes', 'tasks'];
const CHILDREN = {
  accounts: ['users', 'notes', 'tasks', 'conversations', 'npsResponses'],
  organizations: ['accounts', 'users', 'notes', 'tasks', 'conversations', 'npsResponses'],
} as const;

const TABLE: Array<[string, Routes]> = [
  ['admins', { GET: (ctx, call) => listAdmins(ctx, call.query) }],
  ['admins/search', { GET: (ctx, call) => searchAdmins(ctx, call.query) }],
  ['customFields', { GET: (ctx, call) => customFields(ctx, call.query) }],
  ['users/search', { GET: (ctx, call) => searchUsers(ctx, call.query) }],
  ...KEYED.flatMap((type): Array<[string, Routes]> => [
    [type, { GET: (ctx, call) => listPage(ctx, type, call.query), POST: (ctx, call) => createKeyed(ctx, type, call.body()) }],
    [
      `${type}/:id`,
      {
        GET: (ctx, call) => getKeyed(ctx, type, p(call, 0)),
        PUT: (ctx, call) => putKeyed(ctx, type, p(call, 0), call.body()),
        DELETE: (ctx, call) => deleteKeyed(ctx, type, p(call, 0)),
      },
    ],
  ]),
  ...(['accounts', 'organizations'] as const).flatMap((parent) =>
    CHILDREN[parent].map((child): [string, Routes] => [
      `${parent}/:id/${child}`,
      { GET: (ctx, call) => childList(ctx, parent, p(call, 0), child, call.query) },
    ]),
  ),
  ...ACTIVITIES.flatMap((type): Array<[string, Routes]> => [
    [type, { GET: (ctx, call) => listPage(ctx, type, call.query), POST: (ctx, call) => createActivity(ctx, type, call.body()) }],
    [
      `${type}/:id`,
      {
        GET: (ctx, call) => getActivity(ctx, type, p(call, 0)),
        PUT: (ctx, call) => putActivity(ctx, type, p(call, 0), call.body()),
        DELETE: (ctx, call) => archiveActivity(ctx, type, p(call, 0)),
      },
    ],
  ]),
  [
    'conversations',
    {
      GET: (ctx, call) => listPage(ctx, 'conversations', call.query),
      POST: (ctx, call) => createConversation(ctx, call.body()),
    },
  ],
  [
    'conversations/:id',
    {
      GET: (ctx, call) => getConversation(ctx, p(call, 0)),
      PUT: (ctx, call) => putConversation(ctx, p(call, 0), call.body()),
      DELETE: (ctx, call) => deleteConversation(ctx, p(call, 0)),
    },
  ],
  ['conversations/:id/messages', { POST: (ctx, call) => appendMessage(ctx, p(call, 0), call.body()) }],
  ['messages/:id', { GET: (ctx, call) => getMessage(ctx, p(call, 0)), DELETE: (ctx, call) => deleteMessage(ctx, p(call, 0)) }],
  [
    'npsResponses',
    {
      GET: (ctx, call) => listPage(ctx, 'npsResponses', call.query),
      POST: (ctx, call) => createNps(ctx, call.body()),
    },
  ],
  [
    'npsResponses/:id',
    {
      GET: (ctx, call) => getNps(ctx, p(call, 0)),
      PUT: (ctx, call) => putNps(ctx, p(call, 0), call.body()),
      DELETE: (ctx, call) => deleteNps(ctx, p(call, 0)),
    },
  ],
  ['customObjects', { GET: (ctx, call) => listCustomObjects(ctx, call.query) }],
  ['customObjects/:id', { GET: (ctx, call) => getCustomObject(ctx, p(call, 0)) }],
  [
    'customObjects/:id/instances',
    {
      GET: (ctx, call) => listInstances(ctx, p(call, 0), call.query),
      POST: (ctx, call) => createInstance(ctx, p(call, 0), call.body()),
    },
  ],
  ['customObjects/:id/instances/search', { GET: (ctx, call) => searchInstances(ctx, p(call, 0), call.query) }],
  [
    'customObjects/:id/instances/:instanceId',
    {
      PUT: (ctx, call) => putInstance(ctx, p(call, 0), p(call, 1), call.body()),
      DELETE: (ctx, call) => deleteInstance(ctx, p(call, 0), p(call, 1)),
    },
  ],
];

const PATTERNS = TABLE.map(([path, routes]) => ({ parts: path.split('/'), routes }));

/** The routes and path parameters for the segments below /resources, or null (404). */
export function matchRoute(segs: readonly string[]): { routes: Routes; params: string[] } | null {
  for (const { parts, routes } of PATTERNS) {
    if (parts.length !== segs.length) continue;
    const params: string[] = [];
    const ok = parts.every((part, i) => {
      if (part.startsWith(':')) return params.push(segs[i] as string) > 0;
      return part === segs[i];
    });
    if (ok) return { routes, params };
  }
  return null;
}
