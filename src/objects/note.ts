import { activityFields, activityRefs, onAccountOrOrganization } from './activity.js';
import { defineObject } from './define.js';

/**
 * Notes: append-only, created on an account (or organization) with POST. Vitally treats externalId as
 * unique on notes, so a repeated POST with the same externalId updates instead of duplicating; rows
 * without one get a stable externalId derived from their content (see plan/identity.ts).
 */
export const note = defineObject({
  name: 'note',
  path: '/resources/notes',
  kind: 'append',
  key: 'externalId',
  fields: {
    ...activityFields,
    subject: { type: 'string', aliases: ['title'] },
    note: { type: 'string', required: 'always', aliases: ['body', 'text', 'content'] },
    noteDate: { type: 'datetime', required: 'always', aliases: ['date'] },
    authorId: { type: 'string' },
    categoryId: { type: 'string' },
    tags: { type: 'stringArray' },
  },
  refs: {
    ...activityRefs,
    authorEmail: { object: 'admin', target: 'authorId', many: false },
  },
  oneOf: onAccountOrOrganization,
  // Vitally requires a note's date; a row without one is dated when it is read.
  defaults: { noteDate: () => new Date().toISOString() },
  traits: true,
  exportNames: {
    subject: ['note title', 'headline'],
    note: ['note body', 'note text', 'description'],
    noteDate: ['created at', 'noted at', 'note date'],
    accountExternalId: ['account external id', 'customer id', 'company id'],
    authorEmail: ['author', 'author email address', 'created by', 'owner email'],
    tags: ['labels'],
  },
});
