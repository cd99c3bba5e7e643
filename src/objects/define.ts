/**
 * One declarative spec per object type. Everything else (the mapper's column matching, the zod schemas,
 * what a PUT may carry, the endpoints, the key, the Analytics messages, the command line's lists and
 * help) is derived from it, so adding an object type means adding one file in this folder and
 * registering it in index.ts.
 */

export type ObjectName = 'account' | 'user' | 'organization' | 'note' | 'task' | 'conversation' | 'event';
export type Mode = 'insert' | 'upsert' | 'update';
export type Phase = 'create' | 'update';
export type RefObject = 'account' | 'organization' | 'user' | 'admin';

/** The value types a standard field holds once mapped. CSV text is converted to them. */
export type FieldType = 'string' | 'datetime' | 'date' | 'boolean' | 'stringArray' | 'json';

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
   * (GET /resources/<plural>/<externalId>), admin by email (GET /resources/admins/search?email=).
   */
  object: RefObject;
  /** The standard field that receives the Vitally id(s). */
  target: string;
  many: boolean;
  aliases?: string[];
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

export interface ObjectSpec {
  name: ObjectName;
  /** The REST collection path, e.g. /resources/accounts. */
  path: string;
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

const fieldsCache = new WeakMap<ObjectSpec, Record<Phase, string[]>>();

/** The fields a request of this phase may carry (computed once per spec). */
export function fieldsFor(spec: ObjectSpec, phase: Phase): string[] {
  let cached = fieldsCache.get(spec);
  if (!cached) {
    const names = (p: Phase) =>
      Object.entries(spec.fields)
        .filter(([, f]) => (p === 'create' ? f.create !== false : f.update !== false))
        .map(([name]) => name);
    cached = { create: names('create'), update: names('update') };
    fieldsCache.set(spec, cached);
  }
  return cached[phase];
}

export function article(name: string): string {
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}
