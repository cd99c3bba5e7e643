/**
 * One declarative spec per object type. Everything else (the mapper's column matching, the zod schemas,
 * what a PUT may carry, the endpoints, the key, the Analytics messages, the command line's lists and
 * help) is derived from it, so adding an object type means adding one file in this folder and
 * registering it in index.ts.
 */

import type { PlannedRequest } from '../types.js';

/** The object types by name; a custom object is `custom:<name>` (a member of a family, below). */
export type ObjectName = 'account' | 'user' | 'organization' | 'note' | 'task' | 'conversation' | 'message' | 'nps' | 'event' | `custom:${string}`;
export type Mode = 'insert' | 'upsert' | 'update';
export type Phase = 'create' | 'update';
export type RefObject = 'account' | 'organization' | 'user' | 'admin' | 'conversation';

/** The value types a standard field holds once mapped. CSV text is converted to them. */
export type FieldType = 'string' | 'number' | 'datetime' | 'date' | 'boolean' | 'stringArray' | 'json';

export interface FieldSpec {
  type: FieldType;
  /** 'always': every request needs it; 'create': needed to create the record. */
  required?: 'always' | 'create';
  /** null is meaningful and sent as null (e.g. organizationId: null removes the link). */
  nullable?: boolean;
  /** Sent when creating (default true) / when updating with PUT (default true). */
  create?: boolean;
  update?: boolean;
  /** Other column names that fill this field (matched ignoring case, spaces, '_' and '-'). */
  aliases?: string[];
  /** What the field takes, where its name does not say it: a note for readers of the spec. */
  description?: string;
}

/** A column holding the customer's own id of a related record, resolved to Vitally's id before sending. */
export interface RefSpec {
  /**
   * The object looked up: account, organization and user by externalId
   * (GET /resources/<plural>/<externalId>), admin by email (GET /resources/admins/search?email=),
   * conversation by externalId in the list of conversations (refs.ts).
   */
  object: RefObject;
  /** The standard field that receives the Vitally id(s). */
  target: string;
  many: boolean;
  aliases?: string[];
  /** What the reference names, where "your <object>'s id" does not say it (messages of the mapper). */
  description?: string;
}

/** Reference columns of a row, by ref name: the customer's ids, resolved to Vitally ids before sending. */
export type Refs = Record<string, string[]>;

/** A message of Vitally's Analytics API, before it is given its messageId. */
export interface AnalyticsMessage {
  type: string;
  [field: string]: unknown;
}

/** How rows of an object type travel through Vitally's Analytics API (events, and --via analytics). */
export interface AnalyticsSpec {
  /** The rules a row must meet first: those of creating (events) or updating (upserted records). */
  phase: Phase;
  /** The messages one row becomes; throws RowError when the row cannot travel this way. */
  messages(record: MappedRecord, refs: Refs): AnalyticsMessage[];
  /** The messages carry the row's own key as their messageId (events); else one is derived. */
  keyIsMessageId?: boolean;
  /** The reference column whose values are links that --unlink-removed may take back (users: their accounts). */
  links?: string;
}

/** A trait Vitally defines itself for an object type (not in its custom-field catalogue). */
export interface StandardTrait {
  label: string;
  key: string;
  type: 'number' | 'date' | 'datetime';
}

/** A setting that only some object types take (--event): the field it fills, by a value or a column. */
export interface ObjectSetting {
  flag: string;
  field: string;
  /** 'value': one value for every row; 'column': the column that holds it. */
  gives: 'value' | 'column';
}

/** A trait an object type's own definition declares (a custom object's fields): `key` is what is sent. */
export interface TraitDefinition {
  label: string;
  key: string;
  type: string;
  options?: string[];
}

/** A definition Vitally holds that an object type is made from (a custom object). */
export interface Definition {
  /** Vitally's id of it (the stand-in's is a placeholder until it is read). */
  id: string;
  /** Its machine name: what --object names it by. */
  name: string;
  label?: string;
  /** The traits it declares, when Vitally lists them with it. */
  fields?: TraitDefinition[];
}

/**
 * A family of object types made at run time from definitions Vitally holds: custom objects, named
 * `custom:<name>` (or `custom:<id>`). The registry knows the family by its prefix; the definition is
 * read once before the run (src/schema/definitions.ts) and the member's spec made from it.
 */
export interface ObjectFamily {
  /** What --object values of the family start with, before the colon: 'custom'. */
  prefix: string;
  /** How lists and help show a member: 'custom:<name>'. */
  shown: string;
  /** What one definition is called in messages: 'custom object'. */
  noun: string;
  /** Where Vitally lists the definitions: a bare array, or pages of `{results, next}`. */
  listPath: string;
  /** The spec of one member, made from its definition. */
  spec(def: Definition): ObjectSpec;
  /**
   * The spec of the member --object names, before its definition is read (and in a dry run without a
   * token): a placeholder (`{{customObject:subscription}}`) stands for its id.
   */
  standIn(wanted: string): ObjectSpec;
}

/**
 * An append-only record that Vitally may hold already (a conversation sent before): its Vitally id is
 * found by the row's key (the state store, else a look-up of `ref`), and it then gets this request
 * instead of a create (a conversation: its message appended). Ids found or created are remembered for
 * references of this kind (a message's conversationExternalId).
 */
export interface ExistingSpec {
  ref: RefObject;
  /** The path of the request; `:id` is the record's Vitally id. */
  path: string;
  /** Its body, from the record (its reference fields filled). */
  shape(record: MappedRecord): Record<string, unknown>;
  /** The key the answer carries (a message's externalId), which confirms it. */
  answerKey(record: MappedRecord): string;
}

export interface ObjectSpec {
  name: ObjectName;
  /** One record in words, where its name does not read as one ("NPS response"); default the name. */
  noun?: string;
  /** Records in words ("NPS responses"); default the noun and an s. */
  plural?: string;
  /**
   * The REST collection path, e.g. /resources/accounts. A `:field` segment is filled from the record
   * (a message's /resources/conversations/:conversationId/messages): that field goes in the path, never
   * in the body.
   */
  path: string;
  /**
   * For records Vitally addresses by its own id only (custom object instances): the request that finds
   * one by its key, answered by a record, a search's `{results}` or a bare array. upsert and update look
   * the record up with it and PUT `<path>/<id found>` (nothing found counts as a 404), and a create that
   * may have landed is looked up with it before it is sent again.
   */
  locate?: (key: string) => PlannedRequest;
  /**
   * Vitally lists every record of the type at `path` (100 a page, `{results, next}`), which is what
   * --compare vitally, --verify and `diff` read; `query` is what the list needs to hold them all
   * (accounts: `status=activeOrChurned`, since a plain list leaves churned accounts out).
   */
  scan?: { query?: string };
  /** An append-only record Vitally may hold already, and what it gets instead of a create. */
  existing?: ExistingSpec;
  /** Made from a definition Vitally holds (a custom object): its family, what --object asked for, whether it was read. */
  definition?: { family: ObjectFamily; wanted: string; resolved: boolean };
  /** 'keyed' objects are PUT by externalId; 'append' objects are only ever created (POST). */
  kind: 'keyed' | 'append';
  /** The field that names a record (its idempotency key): externalId, or an event's messageId. */
  key: 'externalId' | 'messageId';
  /** Which API carries it: the REST API (default) or the Analytics API only (events). */
  transport?: 'rest' | 'analytics';
  /** Set when its rows can travel through the Analytics API, and how. */
  analytics?: AnalyticsSpec;
  /** Besides externalId, a record may be found by its email (--match email). */
  matchByEmail?: boolean;
  fields: Record<string, FieldSpec>;
  refs: Record<string, RefSpec>;
  traits: boolean;
  /** Column names whose value is a whole traits object (merged into the traits), besides `traits`. */
  traitsColumns?: string[];
  /** Vitally keeps a catalogue of this object type's custom traits (customFields). */
  catalogue: boolean;
  /** Traits Vitally defines itself for this object type, known beside the catalogue's. */
  standardTraits?: StandardTrait[];
  /**
   * The catalogue itself, when the type's definition declares its traits (a custom object's fields): no
   * catalogue request is needed. Absent: the catalogue is asked of Vitally when it is needed.
   */
  knownTraits?: TraitDefinition[];
  /** The `model` of its catalogue request (GET /resources/customFields?model=...); default the plural name. */
  traitsModel?: string;
  /** Column names exports often use for a field or reference, matched by `init` only (it writes what it matched). */
  exportNames?: Record<string, string[]>;
  /** Settings only this object type takes. */
  settings?: ObjectSetting[];
  /** At least one of these fields must be present (in the given phase). */
  oneOf: Array<{ fields: string[]; when: 'always' | 'create' }>;
  /** Fields filled at plan time when the file lacks them (e.g. a note's date: the time the row was read). */
  defaults?: Record<string, () => unknown>;
  /**
   * Turn the flat record into the API body, where the API nests what a row holds flat (a conversation's
   * message). Default: the phase's fields as they are, then traits.
   */
  shape?: (record: MappedRecord) => Record<string, unknown>;
  /** Extra, object-specific checks after the schema (message or null). */
  check?: (record: MappedRecord, phase: Phase) => { field: string; message: string } | null;
}

/** A record after mapping: standard fields by name, plus traits. */
export interface MappedRecord {
  [field: string]: unknown;
  traits?: Record<string, unknown>;
}

type Defaulted = 'refs' | 'oneOf' | 'catalogue';

export function defineObject(spec: Omit<ObjectSpec, Defaulted> & Partial<Pick<ObjectSpec, Defaulted>>): ObjectSpec {
  return { refs: {}, oneOf: [], catalogue: true, ...spec };
}

/** The path of one record, by its Vitally id or its externalId. */
export function recordPath(spec: ObjectSpec, key: string): string {
  return `${spec.path}/${encodeURIComponent(key)}`;
}

/** A `:field` segment of a path (a whole segment, so `{{customObject:x}}` is none). */
const PATH_FIELD = /(?<=\/):([A-Za-z]\w*)(?=\/|\?|$)/g;
/** A placeholder for an id not known yet (`{{account:acme}}`, `{{id}}`): kept readable in a planned path. */
const PLACEHOLDER = /^\{\{[^{}]*\}\}$/;

/** The fields a path fills from the record (`:conversationId`). */
export function pathFields(path: string): string[] {
  return [...path.matchAll(PATH_FIELD)].map((m) => m[1]!);
}

/** A path with its `:field` segments filled from `values`, each URL-encoded (a placeholder as it is). */
export function fillPath(path: string, values: Record<string, unknown>): string {
  return path.replace(PATH_FIELD, (_, field: string) => {
    const v = String(values[field]);
    return PLACEHOLDER.test(v) ? v : encodeURIComponent(v);
  });
}

/** One record of the type in words: "an account", "an NPS response". */
export const nounOf = (spec: ObjectSpec): string => spec.noun ?? spec.name;

/** Records of the type in words: "accounts", "NPS responses". */
export const pluralOf = (spec: ObjectSpec): string => spec.plural ?? `${nounOf(spec)}s`;

const fieldsCache = new WeakMap<ObjectSpec, Record<Phase, string[]>>();

/** The fields a request of this phase may carry (computed once per spec). */
export function fieldsFor(spec: ObjectSpec, phase: Phase): string[] {
  let cached = fieldsCache.get(spec);
  if (!cached) {
    // A field the path holds is not sent in the body.
    const inPath = new Set(pathFields(spec.path));
    const names = (p: Phase) =>
      Object.entries(spec.fields)
        .filter(([name, f]) => !inPath.has(name) && (p === 'create' ? f.create !== false : f.update !== false))
        .map(([name]) => name);
    cached = { create: names('create'), update: names('update') };
    fieldsCache.set(spec, cached);
  }
  return cached[phase];
}

/** "an account", "a user", "an NPS response" (a capital read letter by letter: F, H, L, M, N, R, S, X sound "en"). */
export function article(name: string): string {
  return /^([aeiou]|[FHLMNRSX][A-Z])/.test(name) ? `an ${name}` : `a ${name}`;
}
