/**
 * Vitally's catalogue of custom traits: `GET /resources/customFields?model=<plural>` answers a bare array
 * `[{ label, path, type, options?, createdAt }]`, where `path` is the trait key to send
 * (`vitally.custom.mrr`). This file reads it (from Vitally, or from a JSON file) into one checked shape.
 */
import type { CustomField } from '../sandbox/index.js';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { ObjectName, ObjectSpec } from '../objects/index.js';
import type { PlannedRequest } from '../types.js';

/** One custom trait as Vitally describes it. `key` is its `path`. */
export interface TraitField {
  label: string;
  key: string;
  type: string;
  options?: string[];
  createdAt?: string;
  /** One of Vitally's own traits (mrr, nextRenewalDate...), not in the catalogue. */
  standard?: boolean;
}

/** Where a catalogue came from: asked of Vitally this run, the state store's copy, or a file. */
export type CatalogueSource = 'vitally' | 'cache' | 'file';

export interface Catalogue {
  object: ObjectName;
  /** Where it was asked for: the path of its request (a custom object's fields: its definition's list). */
  path: string;
  /** What its traits are called: "custom account traits", "custom:subscription traits". */
  label: string;
  /** The `model` query value: accounts, users, ... */
  model: string;
  fields: TraitField[];
  from: CatalogueSource;
  /** When Vitally answered (ISO 8601); for a file, when it was read. */
  fetchedAt: string;
}

/** The customFields model of an object type: its plural, or what its spec says (a custom object's). */
export function modelOf(spec: ObjectSpec): string {
  return spec.traitsModel ?? `${spec.name}s`;
}

export function catalogueRequest(spec: ObjectSpec): PlannedRequest {
  return { method: 'GET', path: `/resources/customFields?model=${modelOf(spec)}` };
}

/**
 * Check an answer (or a file's entries) and turn it into TraitFields. Vitally's answer is a bare array;
 * a `{ results: [...] }` wrapper is accepted too. Entries without a path are dropped (they cannot be sent).
 */
export function parseFields(json: unknown, where: string): TraitField[] {
  const list = Array.isArray(json)
    ? json
    : json && typeof json === 'object' && Array.isArray((json as { results?: unknown }).results)
      ? (json as { results: unknown[] }).results
      : null;
  if (!list) throw new ConfigError(`${where}: expected an array of custom fields [{label, path, type}], found ${describe(json)}`);
  const out: TraitField[] = [];
  for (const [i, raw] of list.entries()) {
    if (!raw || typeof raw !== 'object') throw new ConfigError(`${where}: entry ${i + 1} is not an object`);
    const e = raw as Record<string, unknown>;
    if (typeof e.path !== 'string' || e.path.trim() === '') continue;
    const key = e.path.trim();
    const options = Array.isArray(e.options) ? e.options.map(optionText).filter((o): o is string => o !== null) : undefined;
    out.push({
      label: typeof e.label === 'string' && e.label ? e.label : key,
      key,
      type: typeof e.type === 'string' && e.type ? e.type : 'unknown',
      ...(options && options.length > 0 ? { options } : {}),
      ...(typeof e.createdAt === 'string' ? { createdAt: e.createdAt } : {}),
    });
  }
  return out;
}

/** Options may be plain strings or objects such as {label, value}: the value sent is what counts. */
function optionText(o: unknown): string | null {
  if (typeof o === 'string') return o;
  if (typeof o === 'number' || typeof o === 'boolean') return String(o);
  if (o && typeof o === 'object') {
    const r = o as Record<string, unknown>;
    for (const k of ['value', 'label', 'name']) if (typeof r[k] === 'string') return r[k] as string;
  }
  return null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/**
 * A catalogue file (`--custom-fields <file>`): the sandbox's format, a JSON array of
 * `{ model, label, path, type, options? }` where model is singular or plural (`account` or `accounts`).
 */
export type FileField = CustomField;

export function readCatalogueFile(file: string): FileField[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(
      `--custom-fields ${file}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot be read (${code})` : `not valid JSON (${(err as Error).message})`}`,
    );
  }
  if (!Array.isArray(json)) throw new ConfigError(`--custom-fields ${file}: expected a JSON array of {model, label, path, type, options?}`);
  return json.map((e, i) => {
    const r = (e ?? {}) as Record<string, unknown>;
    for (const k of ['model', 'path', 'type'] as const) {
      if (typeof r[k] !== 'string' || !r[k]) throw new ConfigError(`--custom-fields ${file}: entry ${i + 1} needs a "${k}" string`);
    }
    if (r.options !== undefined && (!Array.isArray(r.options) || r.options.some((o) => typeof o !== 'string'))) {
      throw new ConfigError(`--custom-fields ${file}: entry ${i + 1}: "options" must be a list of strings`);
    }
    return { ...(r as unknown as FileField), label: typeof r.label === 'string' && r.label ? r.label : (r.path as string) };
  });
}

/** The fields of one object type out of a catalogue file: its model's (`accounts`), or its name's (`account`, `custom:subscription`). */
export function fileFieldsFor(entries: FileField[], spec: ObjectSpec, file: string): TraitField[] {
  const model = modelOf(spec);
  return parseFields(
    entries.filter((e) => e.model === model || e.model === spec.name),
    `--custom-fields ${file}`,
  );
}

/** Sandbox options serving a catalogue file (`--sandbox --custom-fields <file>`), or none. */
export function sandboxCatalogue(file: string | undefined): { customFields?: FileField[] } {
  return file ? { customFields: readCatalogueFile(file) } : {};
}
