import { defineObject } from './define.js';

/**
 * NPS responses: POST /resources/npsResponses with the Vitally id of the user who answered (userId, or
 * the customer's id in userExternalId), the score (a whole number from 0 to 10), when they answered
 * (respondedAt) and their feedback. Vitally treats externalId as unique on NPS responses (a POST with a
 * known one updates it), so a row without one gets a stable externalId derived from its content, as
 * notes do. NPS responses have no traits: columns that are not fields are left out.
 */
export const nps = defineObject({
  name: 'nps',
  noun: 'NPS response',
  path: '/resources/npsResponses',
  kind: 'append',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', aliases: ['external id', 'response id'] },
    userId: { type: 'string', required: 'always' },
    score: { type: 'number', required: 'always', aliases: ['nps', 'nps score', 'rating'] },
    respondedAt: { type: 'datetime', required: 'always', aliases: ['responded', 'date', 'submittedAt'] },
    feedback: { type: 'string', aliases: ['comment', 'comments'] },
  },
  refs: {
    userExternalId: { object: 'user', target: 'userId', many: false },
  },
  traits: false,
  catalogue: false,
  exportNames: {
    score: ['nps score', 'likelihood to recommend', 'recommend score'],
    respondedAt: ['responded at', 'submitted at', 'created at', 'survey date'],
    feedback: ['feedback text', 'reason', 'why'],
    userExternalId: ['user external id', 'user id', 'contact id', 'respondent id'],
  },
  check: (rec) =>
    Number.isInteger(rec.score) && (rec.score as number) >= 0 && (rec.score as number) <= 10
      ? null
      : { field: 'score', message: `must be a whole number from 0 to 10, not ${String(rec.score)}` },
});
