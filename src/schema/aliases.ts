/**
 * Column names exports commonly use for standard fields, beyond the aliases the mapper itself accepts
 * (objects/*.ts). Only `init` uses them, and writes what it matched into the sync, so a run never guesses.
 * Matched like the mapper matches: case, spaces, '_', '-' and '.' ignored.
 */
import type { ObjectName } from '../objects/index.js';

export const INIT_ALIASES: Partial<Record<ObjectName, Record<string, string[]>>> = {
  account: {
    externalId: ['account id', 'account external id', 'customer id', 'company id', 'uid'],
    name: ['company', 'company name', 'account name', 'customer name', 'customer'],
    organizationExternalId: ['organization external id', 'org id', 'org external id', 'parent id', 'parent organization id'],
  },
  user: {
    externalId: ['user id', 'user external id', 'contact id', 'person id', 'uid'],
    name: ['full name', 'user name', 'contact name', 'display name'],
    email: ['email address', 'e-mail', 'mail', 'user email'],
    joinDate: ['created at', 'signed up at', 'signup date', 'sign up date', 'joined at', 'joined'],
    accountExternalId: ['account external id', 'company id', 'customer id'],
    organizationExternalId: ['organization external id', 'org id', 'org external id'],
  },
  organization: {
    externalId: ['organization id', 'organization external id', 'org id', 'company id', 'uid'],
    name: ['organization name', 'org name', 'company name', 'company'],
  },
  note: {
    subject: ['note title', 'headline'],
    note: ['note body', 'note text', 'description'],
    noteDate: ['created at', 'noted at', 'note date'],
    accountExternalId: ['account external id', 'customer id', 'company id'],
    authorEmail: ['author', 'author email address', 'created by', 'owner email'],
    tags: ['labels'],
  },
  task: {
    name: ['task', 'task name'],
    description: ['details', 'task description'],
    dueDate: ['due date', 'due at', 'deadline', 'due on'],
    completedAt: ['done at', 'completed on'],
    accountExternalId: ['account external id', 'customer id', 'company id'],
    assigneeEmail: ['assignee', 'assigned to', 'owner email'],
    tags: ['labels'],
  },
  conversation: {
    subject: ['conversation subject'],
    body: ['content', 'message body'],
    timestamp: ['created at', 'sent on'],
    userExternalId: ['user external id', 'user id', 'contact id'],
    adminEmail: ['admin', 'agent email', 'from email'],
  },
};
