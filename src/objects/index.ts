import { ConfigError } from '../errors.js';
import { account } from './account.js';
import { conversation } from './conversation.js';
import { event } from './event.js';
import type { ObjectName, ObjectSpec } from './define.js';
import { note } from './note.js';
import { organization } from './organization.js';
import { task } from './task.js';
import { user } from './user.js';

export * from './define.js';

const OBJECTS: Partial<Record<ObjectName, ObjectSpec>> = { account, user, organization, note, task, conversation, event };

export function objectNames(): ObjectName[] {
  return Object.keys(OBJECTS) as ObjectName[];
}

export function getObject(name: string): ObjectSpec {
  const spec = OBJECTS[name as ObjectName];
  if (!spec) {
    throw new ConfigError(`Unknown --object "${name}": choose one of ${objectNames().join(', ')}`);
  }
  return spec;
}

export function objectByName(name: ObjectName): ObjectSpec {
  return getObject(name);
}
