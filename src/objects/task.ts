import { activityFields, activityRefs, onAccountOrOrganization } from './activity.js';
import { defineObject } from './define.js';

/** Tasks: append-only, on an account (or organization); externalId is unique, as for notes. */
export const task = defineObject({
  name: 'task',
  path: '/resources/tasks',
  kind: 'append',
  key: 'externalId',
  fields: {
    ...activityFields,
    name: { type: 'string', required: 'always', aliases: ['subject', 'title'] },
    description: { type: 'string', aliases: ['body'] },
    dueDate: { type: 'date', aliases: ['due'] },
    assignedToId: { type: 'string' },
    completedById: { type: 'string' },
    completedAt: { type: 'datetime' },
    categoryId: { type: 'string' },
    tags: { type: 'stringArray' },
  },
  refs: {
    ...activityRefs,
    assigneeEmail: { object: 'admin', target: 'assignedToId', many: false, aliases: ['assignedToEmail'] },
  },
  oneOf: onAccountOrOrganization,
  traits: true,
  exportNames: {
    name: ['task', 'task name'],
    description: ['details', 'task description'],
    dueDate: ['due date', 'due at', 'deadline', 'due on'],
    completedAt: ['done at', 'completed on'],
    accountExternalId: ['account external id', 'customer id', 'company id'],
    assigneeEmail: ['assignee', 'assigned to', 'owner email'],
    tags: ['labels'],
  },
});
