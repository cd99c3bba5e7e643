import { defineObject } from './define.js';

/**
 * Product events, sent to Vitally's Analytics API (track messages), always in batches. Ids here are the
 * customer's own (userId, accountId, organizationId), not Vitally's. Every column that is not one of
 * these fields becomes an event property. A row without a messageId column gets one derived from its
 * content, so re-sending a file cannot count an event twice; a row without a timestamp is stamped when
 * it is read.
 */
export const event = defineObject({
  name: 'event',
  path: '/analytics/v1/track',
  kind: 'append',
  key: 'messageId',
  transport: 'analytics',
  fields: {
    messageId: { type: 'string', required: 'always', aliases: ['message id'] },
    event: { type: 'string', required: 'always', aliases: ['event name', 'eventName'] },
    userId: { type: 'string', aliases: ['user'] },
    accountId: { type: 'string', aliases: ['account'] },
    organizationId: { type: 'string', aliases: ['organization'] },
    timestamp: { type: 'datetime', required: 'always', aliases: ['time', 'ts', 'occurredAt'] },
  },
  oneOf: [{ fields: ['userId', 'accountId', 'organizationId'], when: 'always' }],
  defaults: { timestamp: () => new Date().toISOString() },
  traits: true,
  // An NDJSON `properties` object holds the event's properties, as `traits` does.
  traitsColumns: ['properties'],
  catalogue: false,
  settings: [
    { flag: '--event', field: 'event', gives: 'value' },
    { flag: '--event-column', field: 'event', gives: 'column' },
    { flag: '--timestamp-column', field: 'timestamp', gives: 'column' },
  ],
  analytics: {
    phase: 'create',
    keyIsMessageId: true,
    messages: (rec) => {
      const msg: Record<string, unknown> = { type: 'track', event: rec.event };
      for (const k of ['userId', 'accountId', 'organizationId'] as const) if (rec[k] !== undefined) msg[k] = rec[k];
      msg.timestamp = rec.timestamp;
      msg.messageId = rec.messageId;
      msg.properties = rec.traits ?? {};
      return [msg as { type: string }];
    },
  },
});
