/**
 * The object registry: every object type the tool can send, by name, and the families of object types
 * made at run time from Vitally's definitions (custom objects, `custom:<name>`), by prefix. The command
 * line's lists and help, --object's check, the config file's check and the Analytics message shapes
 * all come from here.
 */
import { ConfigError } from '../errors.js';
import { didYouMean } from '../suggest.js';
import { orList } from '../text.js';
import { account } from './account.js';
import { conversation } from './conversation.js';
import { customObjects } from './custom-object.js';
import { pluralOf, type ObjectFamily, type ObjectName, type ObjectSpec } from './define.js';
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

/** The families of object types made from Vitally's definitions, by the prefix of their names. */
const FAMILIES: readonly ObjectFamily[] = [customObjects];

/**
 * One member of each family standing for them all in lists and help ("custom:<name>", "custom object
 * instances"): what every member shares (kind, fields, transports) is the same before its definition is read.
 */
const REPRESENTATIVES: readonly ObjectSpec[] = FAMILIES.map((f) => ({ ...f.standIn('<name>'), plural: `${f.noun} instances` }));

/** Every object type in the order lists show them, a family as one entry. */
const LISTED: readonly ObjectSpec[] = [...OBJECTS, ...REPRESENTATIVES];

/** The names --object takes, a family shown as `custom:<name>`. */
export function objectNames(): ObjectName[] {
  return LISTED.map((o) => o.name);
}

/** The object types that have what `which` asks, e.g. (o) => o.catalogue; a family once. */
export function objectsWhere(which: (spec: ObjectSpec) => boolean): ObjectSpec[] {
  return LISTED.filter(which);
}

/** The names of the object types that have what `which` asks, for a help text: "account, user or note". */
export function objectList(which: (spec: ObjectSpec) => boolean = () => true): string {
  return orList(objectsWhere(which).map((o) => o.name));
}

/** Plural names for a message: "notes, tasks, conversations". */
export function pluralList(which: (spec: ObjectSpec) => boolean): string {
  return objectsWhere(which).map(pluralOf).join(', ');
}

/** The family a name belongs to (`custom:subscription`), and the member asked for, or null. */
function familyOf(name: string): { family: ObjectFamily; wanted: string } | null {
  const colon = name.indexOf(':');
  if (colon <= 0) return null;
  const family = FAMILIES.find((f) => f.prefix === name.slice(0, colon));
  const wanted = name.slice(colon + 1).trim();
  return family && wanted !== '' ? { family, wanted } : null;
}

/** Whether --object (or a config file's `object`) names a type the tool knows: a registered one, or a family's member. */
export function isObjectName(name: string): boolean {
  return BY_NAME.has(name) || familyOf(name) !== null;
}

/**
 * The spec of an object type named on the command line or in a file; ConfigError naming the known ones.
 * A family's member (`custom:subscription`) is a stand-in until its definition is read before the run
 * (`spec.definition`, src/schema/definitions.ts).
 */
export function getObject(name: string): ObjectSpec {
  const spec = BY_NAME.get(name);
  if (spec) return spec;
  const member = familyOf(name);
  if (member) return member.family.standIn(member.wanted);
  throw new ConfigError(`Unknown --object "${name}"${didYouMean(name, objectNames())}: choose one of ${objectNames().join(', ')}`);
}
