/**
 * Object types made from Vitally's definitions (custom objects, `--object custom:<name>`): the
 * definition named is read once, before the run, and the type's spec made from it (its id in the paths,
 * its fields typing the traits). Vitally lists definitions as a bare array or as pages of
 * `{results, next}`; a definition is found by its id, its name, or (ignoring case) its name or label. One
 * Vitally does not have stops the run before any row is sent (exit 2), naming those it has.
 */
import { ApiError, AuthError, ConfigError, NetworkError } from '../errors.js';
import type { Definition, ObjectSpec } from '../objects/index.js';
import { listAll } from '../sync/listing.js';
import type { Connection } from '../types.js';
import type { Sender } from '../vitally/sender.js';
import { parseFields } from './catalogue.js';

/** One definition as Vitally lists it, or null when it has no id or name to be found by. */
function parseDefinition(raw: unknown, where: string): Definition | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '' || typeof r.name !== 'string' || r.name === '') return null;
  const def: Definition = { id: r.id, name: r.name };
  if (typeof r.label === 'string' && r.label !== '') def.label = r.label;
  if (Array.isArray(r.fields)) {
    def.fields = parseFields(r.fields, `${where}: ${r.name}.fields`).map(({ label, key, type, options }) => ({
      label,
      key,
      type,
      ...(options ? { options } : {}),
    }));
  }
  return def;
}

/** The definition `wanted` names: by id or name exactly, else by name or label ignoring case when one alone matches. */
function pick(defs: Definition[], wanted: string): Definition | undefined {
  const exact = defs.find((d) => d.id === wanted || d.name === wanted);
  if (exact) return exact;
  const w = wanted.toLowerCase();
  const loose = defs.filter((d) => d.name.toLowerCase() === w || d.label?.toLowerCase() === w);
  return loose.length === 1 ? loose[0] : undefined;
}

/** The spec of a type made from a definition, once that definition is read; any other spec as it is. */
export async function defineFromVitally(spec: ObjectSpec, sender: Sender): Promise<ObjectSpec> {
  const d = spec.definition;
  if (!d || d.resolved) return spec;
  const { family } = d;
  const where = `GET ${family.listPath}`;
  const defs: Definition[] = [];
  try {
    for await (const page of listAll(sender, family.listPath)) {
      for (const raw of page) {
        const def = parseDefinition(raw, where);
        if (def) defs.push(def);
      }
    }
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof ApiError || err instanceof NetworkError) throw new ConfigError(`Could not read Vitally's ${family.noun}s: ${err.message}`);
    throw err;
  }
  const found = pick(defs, d.wanted);
  if (!found) {
    const known = defs.length > 0 ? `it has ${defs.map((x) => `${family.prefix}:${x.name}`).join(', ')}` : `it lists none (${where})`;
    throw new ConfigError(`--object ${family.prefix}:${d.wanted}: Vitally has no ${family.noun} named "${d.wanted}": ${known}`, 'CONFIG_INVALID_OBJECT');
  }
  return family.spec(found);
}

/**
 * Before a run: the spec with its definition read through the REST API, with a sender of its own (closed
 * here) so the run's counts are its rows'. Without a REST connection (a dry run without a token) the
 * stand-in stays, and `note` says so.
 */
export async function specForRun(
  spec: ObjectSpec,
  rest: Connection | undefined,
  makeSender: (c: Connection) => Sender,
): Promise<{ spec: ObjectSpec; note?: string }> {
  const d = spec.definition;
  if (!d || d.resolved) return { spec };
  if (!rest) {
    const note = `${spec.name}: the ${d.family.noun} was not read (no REST API token): a placeholder stands for its id in the requests shown, and its traits are sent as read`;
    return { spec, note };
  }
  const sender = makeSender(rest);
  try {
    return { spec: await defineFromVitally(spec, sender) };
  } finally {
    await sender.http.close();
    sender.pacer.close();
  }
}
