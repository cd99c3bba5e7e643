/**
 * The object registry: every object type the tool can send, by name. The command line's lists and help,
 * --object's check, the config file's check and the Analytics message shapes all come from here.
 */
import { ConfigError } from '../errors.js';
import { orList } from '../text.js';
import { account } from './account.js';
import { conversation } from './conversation.js';
import { pluralOf, type ObjectName, type ObjectSpec } from './define.js';
import { event } from './event.js';
import { message } from './message.js';
import { note } from './note.js';
import { nps } from './nps.js';
import { organization } from './organization.js';
import { task } from './task.js';
import { user } from './user.js';

export * from './define.js';
export * from './refs.js';
export * from './validate.js';

/** The registered object types, in the order lists show them. */
const OBJECTS: readonly ObjectSpec[] = [account, user, organization, note, task, conversation, message, nps, event];
const BY_NAME = new Map<string, ObjectSpec>(OBJECTS.map((o) => [o.name, o]));

export function objectNames(): ObjectName[] {
  return OBJECTS.map((o) => o.name);
}

/** The object types that have what `which` asks, e.g. (o) => o.catalogue. */
export function objectsWhere(which: (spec: ObjectSpec) => boolean): ObjectSpec[] {
  return OBJECTS.filter(which);
}

/** The names of the object types that have what `which` asks, for a help text: "account, user or note". */
export function objectList(which: (spec: ObjectSpec) => boolean = () => true): string {
  return orList(objectsWhere(which).map((o) => o.name));
}

/** Plural names for a message: "notes, tasks, conversations". */
export function pluralList(which: (spec: ObjectSpec) => boolean): string {
  return objectsWhere(which).map(pluralOf).join(', ');
}

/** The spec of an object type named on the command line or in a file; ConfigError naming the known ones. */
export function getObject(name: string): ObjectSpec {
  const spec = BY_NAME.get(name);
  if (!spec) throw new ConfigError(`Unknown --object "${name}": choose one of ${objectNames().join(', ')}`);
  return spec;
}
