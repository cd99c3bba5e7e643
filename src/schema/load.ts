/**
 * Getting the catalogue for one run, once: from a file when one is given; else the traits the type's
 * definition declared (a custom object's fields, read with it); else the state store's copy while it is
 * less than a day old (unless --refresh-schema); else from Vitally, keeping the answer in the store.
 * With no network (a dry run) an older copy is used, or the check is skipped with a note.
 */
import { ApiError, AuthError, ConfigError, NetworkError } from '../errors.js';
import type { ObjectSpec } from '../objects/index.js';
import type { DB } from '../state/store.js';
import type { Sender } from '../vitally/sender.js';
import { CatalogueCache, isFresh } from './cache.js';
import { catalogueRequest, fileFieldsFor, modelOf, parseFields, readCatalogueFile, type Catalogue } from './catalogue.js';

export interface LoadOptions {
  spec: ObjectSpec;
  /** --custom-fields: the catalogue is this file's, and nothing is asked. */
  file?: string | undefined;
  /** The state store (absent with --no-state) and the destination its rows belong to (the REST base URL). */
  db?: DB | undefined;
  destination?: string | undefined;
  /** The store may not be written (a dry run). */
  readOnly?: boolean;
  /** Absent when nothing may be sent (a dry run). */
  sender?: Sender | undefined;
  /** --refresh-schema: ask Vitally even when the stored copy is fresh. */
  refresh?: boolean;
  now?: () => number;
}

export interface Loaded {
  catalogue: Catalogue | null;
  /** Why there is no catalogue, or why the one used may be out of date. */
  note?: string;
}

export async function loadCatalogue(o: LoadOptions): Promise<Loaded> {
  const now = o.now ?? Date.now;
  const spec = o.spec;
  const object = spec.name;
  const model = modelOf(spec);
  // A custom object's traits are all custom: its name says so.
  const label = spec.definition ? `${object} traits` : `custom ${object} traits`;
  const base = { object, model, path: catalogueRequest(spec).path, label };
  if (o.file) {
    return {
      catalogue: { ...base, fields: fileFieldsFor(readCatalogueFile(o.file), spec, o.file), from: 'file', fetchedAt: new Date(now()).toISOString() },
    };
  }
  const definition = spec.definition;
  if (spec.knownTraits && definition) {
    return { catalogue: { ...base, path: definition.family.listPath, fields: spec.knownTraits, from: 'vitally', fetchedAt: new Date(now()).toISOString() } };
  }
  // Its definition could not be read (a dry run without a token): the run's summary says so already.
  if (definition && !definition.resolved) return { catalogue: null };
  const cache = o.db && o.destination ? new CatalogueCache(o.db, o.destination) : undefined;
  const cached = cache?.get(model);
  if (cached && !o.refresh && isFresh(cached, now())) {
    return { catalogue: { ...base, fields: cached.fields, from: 'cache', fetchedAt: cached.fetchedAt } };
  }
  if (o.sender) {
    const fields = await fetchFields(o.sender, spec);
    const fetchedAt = new Date(now()).toISOString();
    if (cache && !o.readOnly) cache.put(model, fields, fetchedAt);
    return { catalogue: { ...base, fields, from: 'vitally', fetchedAt } };
  }
  if (cached) {
    return {
      catalogue: { ...base, fields: cached.fields, from: 'cache', fetchedAt: cached.fetchedAt },
      note: `the ${object} trait catalogue used is the stored copy of ${cached.fetchedAt}${o.refresh ? '' : ' (more than a day old)'}: a dry run asks Vitally nothing`,
    };
  }
  return {
    catalogue: null,
    note: `trait check skipped: no stored copy of Vitally's ${object} trait catalogue${o.db ? '' : ' (no state store)'}, and a dry run asks Vitally nothing. Run \`vitally-sync fields --object ${object}\` (or a real push) once to store it`,
  };
}

/** GET /resources/customFields?model=...; a failure is a ConfigError (exit 2) unless the token was refused. */
export async function fetchFields(sender: Sender, spec: ObjectSpec): Promise<ReturnType<typeof parseFields>> {
  const object = spec.name;
  const req = catalogueRequest(spec);
  try {
    const res = await sender.send(req);
    return parseFields(res.json, `${req.method} ${req.path}`);
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof ApiError || err instanceof NetworkError) {
      throw new ConfigError(`Could not read Vitally's ${object} trait catalogue: ${err.message}`);
    }
    throw err;
  }
}
