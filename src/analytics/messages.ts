/**
 * Rows -> Analytics API messages. Events are track messages; with --via analytics, accounts,
 * organizations and users become account / organization / user messages keyed by the customer's own
 * ids (no id look-ups). Each message carries a messageId derived from its content (an event's alone;
 * an object message's with the run's id), so a retried batch cannot apply it twice.
 */
import { RowError } from '../errors.js';
import { validate, type MappedRecord, type ObjectSpec } from '../objects/define.js';
import { stableId } from '../plan/identity.js';
import { buildBody } from '../plan/plan.js';

export type MessageType = 'track' | 'account' | 'organization' | 'user' | 'unlink';

export interface Message {
  type: MessageType;
  messageId: string;
  [field: string]: unknown;
}

/** Object types that may travel through the Analytics API with --via analytics. */
export const VIA_ANALYTICS = new Set(['account', 'organization', 'user']);

/**
 * An object message's messageId: its content and the run's id. A retry within the run resends the same
 * id (Vitally de-duplicates it); a later run that sends the same values again, e.g. after they changed
 * and changed back, gets a new id, so Vitally applies it instead of discarding it as a repeat.
 */
function withId(msg: Omit<Message, 'messageId'>, runId: string): Message {
  return { ...msg, messageId: stableId([runId, msg]) } as Message;
}

function refuse(field: string, message: string): never {
  throw new RowError('ROW_INVALID', `${field}: ${message}`, field);
}

function traitsWith(record: MappedRecord, reserved: Record<string, unknown>): Record<string, unknown> {
  const traits: Record<string, unknown> = { ...(record.traits ?? {}) };
  for (const [k, v] of Object.entries(reserved)) if (v !== undefined) traits[k] = v;
  return traits;
}

/** The messages a row becomes; throws RowError when it cannot be sent this way. */
export function planMessages(spec: ObjectSpec, record: MappedRecord, refs: Record<string, string[]>, runId: string): Message[] {
  if (spec.name === 'event') {
    const problem = validate(spec, record, 'create');
    if (problem) refuse(problem.field, problem.message);
    return [JSON.parse(buildBody(spec, record, 'create')) as Message];
  }
  const problem = validate(spec, record, 'update');
  if (problem) refuse(problem.field, problem.message);
  const id = record.externalId as string;
  switch (spec.name) {
    case 'account': {
      if (record.organizationId !== undefined) refuse('organizationId', 'holds a Vitally id; with --via analytics name the organization by organizationExternalId');
      if (record.accountOwnerId !== undefined) refuse('accountOwnerId', 'cannot be set through the Analytics API; use --via rest');
      const org = refs.organizationExternalId?.[0];
      return [withId({ type: 'account', accountId: id, ...(org ? { organizationId: org } : {}), traits: traitsWith(record, { name: record.name }) }, runId)];
    }
    case 'organization':
      return [withId({ type: 'organization', organizationId: id, traits: traitsWith(record, { name: record.name }) }, runId)];
    case 'user': {
      for (const f of ['accountIds', 'organizationIds'] as const) {
        if (record[f] !== undefined) refuse(f, `holds Vitally ids; with --via analytics name them by ${f === 'accountIds' ? 'accountExternalId(s)' : 'organizationExternalId(s)'}`);
      }
      if (record.unsubscribedFromConversations !== undefined) refuse('unsubscribedFromConversations', 'cannot be set through the Analytics API; use --via rest');
      const accounts = [...new Set(refs.accountExternalId ?? [])];
      const orgs = [...new Set(refs.organizationExternalId ?? [])];
      if (accounts.length === 0 && orgs.length === 0) {
        refuse('accountExternalId or organizationExternalId', 'at least one is required with --via analytics');
      }
      const traits = traitsWith(record, { name: record.name, email: record.email, avatar: record.avatar, createdAt: record.joinDate });
      // One message per link: Vitally's user message takes one account (or organization) at a time.
      return [
        ...accounts.map((a) => withId({ type: 'user', userId: id, accountId: a, traits }, runId)),
        ...orgs.map((o) => withId({ type: 'user', userId: id, organizationId: o, traits }, runId)),
      ];
    }
    default:
      throw new RowError('ROW_INVALID', `${spec.name}s cannot be sent through the Analytics API`);
  }
}

export function unlinkMessage(userId: string, accountId: string, runId: string): Message {
  return withId({ type: 'unlink', userId, accountId }, runId);
}
