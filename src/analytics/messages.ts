/**
 * Rows -> Analytics API messages. Each object spec says what its rows become (`analytics.messages`):
 * events are track messages; with --via analytics, accounts, organizations and users become account /
 * organization / user messages keyed by the customer's own ids (no id look-ups). Each message carries
 * a messageId derived from its content (an event's is its row's key; an object message's comes from its
 * content and the run's id), so a retried batch cannot apply it twice.
 */
import { RowError } from '../errors.js';
import { pluralOf, validate, type AnalyticsMessage, type MappedRecord, type ObjectSpec, type Refs } from '../objects/index.js';
import { stableId } from '../plan/identity.js';

export interface Message extends AnalyticsMessage {
  messageId: string;
}

/**
 * An object message's messageId: its content and the run's id. A retry within the run resends the same
 * id (Vitally de-duplicates it); a later run that sends the same values again, e.g. after they changed
 * and changed back, gets a new id, so Vitally applies it instead of discarding it as a repeat.
 */
function withId(msg: AnalyticsMessage, runId: string): Message {
  return { ...msg, messageId: stableId([runId, msg]) };
}

/** The messages a row becomes; throws RowError when it cannot be sent this way. */
export function planMessages(spec: ObjectSpec, record: MappedRecord, refs: Refs, runId: string): Message[] {
  const how = spec.analytics;
  if (!how) throw new RowError('ROW_INVALID', `${pluralOf(spec)} cannot be sent through the Analytics API`);
  const problem = validate(spec, record, how.phase);
  if (problem) throw new RowError('ROW_INVALID', `${problem.field}: ${problem.message}`, problem.field);
  const messages = how.messages(record, refs);
  return how.keyIsMessageId ? (messages as Message[]) : messages.map((m) => withId(m, runId));
}

export function unlinkMessage(userId: string, accountId: string, runId: string): Message {
  return withId({ type: 'unlink', userId, accountId }, runId);
}
