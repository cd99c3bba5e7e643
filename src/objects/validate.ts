/**
 * Checking a mapped record against its object type, for a phase: the zod schema derived from the spec
 * (which decides and words every problem), and a plain-code check that answers "valid" for the common
 * case without running the schema.
 */
import type { z } from 'zod';
import { zod } from '../zod-lazy.js';
import type { FieldSpec, FieldType, MappedRecord, ObjectSpec, Phase } from './define.js';
import { article, nounOf } from './define.js';

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function baseSchema(type: FieldType): z.ZodType {
  const z = zod();
  switch (type) {
    case 'string':
      return z.string().min(1, 'must not be empty');
    case 'number':
      return z.number().refine(Number.isFinite, 'must be a finite number');
    case 'datetime':
      return z.string().regex(ISO_DATETIME, 'must be an ISO 8601 date-time');
    case 'date':
      return z.string().refine((s) => ISO_DATE.test(s) || ISO_DATETIME.test(s), 'must be an ISO 8601 date');
    case 'boolean':
      return z.boolean();
    case 'stringArray':
      return z.array(z.string().min(1, 'must not hold an empty value'));
    case 'json':
      return z.unknown();
  }
}

/** Whether a field must be present in a phase. */
const requiredIn = (f: FieldSpec, phase: Phase): boolean => f.required === 'always' || (f.required === 'create' && phase === 'create');

/** The at-least-one-of rules that apply in a phase. */
const oneOfRules = (spec: ObjectSpec, phase: Phase) => spec.oneOf.filter((r) => r.when === 'always' || phase === 'create');

/** A value that counts as given for an at-least-one-of rule: not absent, null or an empty list. */
const isGiven = (v: unknown): boolean => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0);

const schemaCache = new WeakMap<ObjectSpec, Map<Phase, z.ZodType>>();

/** The zod schema of a record about to be sent in the given phase (cached per spec). */
export function schemaFor(spec: ObjectSpec, phase: Phase): z.ZodType {
  let perPhase = schemaCache.get(spec);
  if (!perPhase) schemaCache.set(spec, (perPhase = new Map()));
  const cached = perPhase.get(phase);
  if (cached) return cached;
  const z = zod();
  const shape: Record<string, z.ZodType> = {};
  for (const name of Object.keys(spec.fields)) {
    const f = spec.fields[name]!;
    let s = baseSchema(f.type);
    if (f.nullable) s = s.nullable();
    shape[name] = requiredIn(f, phase) ? s : s.optional();
  }
  if (spec.traits) shape.traits = z.record(z.string(), z.unknown()).optional();
  const rules = oneOfRules(spec, phase);
  const schema = z.object(shape).superRefine((rec, ctx) => {
    for (const rule of rules) {
      if (!rule.fields.some((f) => isGiven((rec as Record<string, unknown>)[f]))) {
        ctx.addIssue({ code: 'custom', path: [rule.fields.join(' or ')], message: 'at least one is required' });
      }
    }
  });
  perPhase.set(phase, schema);
  return schema;
}

/**
 * Validate a mapped record for a phase. Returns null when valid, else the first problem as
 * `{ field, message }` with a message a user can act on.
 */
export function validate(spec: ObjectSpec, record: MappedRecord, phase: Phase): { field: string; message: string } | null {
  if (plainlyValid(spec, phase, record)) return spec.check ? spec.check(record, phase) : null;
  const result = schemaFor(spec, phase).safeParse(record);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(record)';
    const value = issue.path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), record);
    let message: string;
    if (issue.code === 'invalid_type' && value === undefined) {
      message = phase === 'create' ? `required to create ${article(nounOf(spec))}` : 'required';
    } else if (issue.code === 'invalid_type' && value === null) {
      message = 'must not be null';
    } else {
      message = issue.message;
    }
    return { field, message };
  }
  return spec.check ? spec.check(record, phase) : null;
}

type Check = (record: MappedRecord) => boolean;

const TYPE_CHECKS: Record<FieldType, (v: unknown) => boolean> = {
  string: (v) => typeof v === 'string' && v.length > 0,
  number: (v) => typeof v === 'number' && Number.isFinite(v),
  datetime: (v) => typeof v === 'string' && ISO_DATETIME.test(v),
  date: (v) => typeof v === 'string' && (ISO_DATE.test(v) || ISO_DATETIME.test(v)),
  boolean: (v) => typeof v === 'boolean',
  stringArray: (v) => {
    if (!Array.isArray(v)) return false;
    // Indexed, not every(): a hole in a sparse array is a value the schema refuses.
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x !== 'string' || x.length === 0) return false;
    }
    return true;
  },
  json: () => true,
};

/** Plainly a plain object; one with its own `constructor` key is left to the schema to judge. */
const isPlainObject = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && !Object.hasOwn(v, 'constructor');
};

const quickCache = new WeakMap<ObjectSpec, Map<Phase, Check>>();

/**
 * A plain-code check that says "valid" only where the zod schema (schemaFor) would accept the record:
 * the common case costs no schema run. When it says no, or is unsure (a required json field left out),
 * validate() asks the schema, which decides and words the problem. test/objects/validate.test.ts holds
 * the two to agreeing.
 */
export function plainlyValid(spec: ObjectSpec, phase: Phase, record: MappedRecord): boolean {
  let perPhase = quickCache.get(spec);
  if (!perPhase) quickCache.set(spec, (perPhase = new Map()));
  let check = perPhase.get(phase);
  if (!check) {
    const fields = Object.entries(spec.fields).map(([name, f]) => ({
      name,
      required: requiredIn(f, phase),
      nullable: f.nullable === true,
      ok: TYPE_CHECKS[f.type],
    }));
    const rules = oneOfRules(spec, phase).map((r) => r.fields);
    check = (record) => {
      for (const f of fields) {
        const v = record[f.name];
        if (v === undefined) {
          if (f.required) return false;
        } else if (v === null) {
          if (!f.nullable) return false;
        } else if (!f.ok(v)) return false;
      }
      if (spec.traits && record.traits !== undefined && !isPlainObject(record.traits)) return false;
      return rules.every((names) => names.some((n) => isGiven(record[n])));
    };
    perPhase.set(phase, check);
  }
  return check(record);
}
