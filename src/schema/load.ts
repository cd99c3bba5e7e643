/**
 * Getting the catalogue for one run, once: from a file when one is given; else the traits the type's
 * definition declared (a custom object's fields, read with it); else the state store's copy while it is
 * less than a day old (unless --refresh-schema); else from Vitally, keeping the answer in the store.
 * With nothing to ask with (a dry run without a token) an older copy is used, or none, with a note; when
 * Vitally answers something else than the catalogue, an older copy serves too.
 */
import { ApiError, AuthError, ConfigError, NetworkError } from '../errors.js';
import type { ObjectSpec } from '../objects/index.js';
import type { DB } from '../state/store.js';
import type { Sender } from '../vitally/sender.js';
import { CatalogueCache, isFresh, type Cached } from './cache.js';
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
  /** Absent when there is nothing to ask with (a dry run without a token, a file). */
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
    let fields;
    try {
      fields = await fetchFields(o.sender, spec);
    } catch (err) {
      // Vitally answered, but not with the catalogue: an older copy is better than none.
      if (!(err instanceof CatalogueNotGiven) || !cached) throw err;
      return { catalogue: { ...base, fields: cached.fields, from: 'cache', fetchedAt: cached.fetchedAt }, note: staleNote(object, o, cached, err.message) };
    }
    const fetchedAt = new Date(now()).toISOString();
    if (cache && !o.readOnly) cache.put(model, fields, fetchedAt);
    return { catalogue: { ...base, fields, from: 'vitally', fetchedAt } };
  }
  if (cached) {
    return {
      catalogue: { ...base, fields: cached.fields, from: 'cache', fetchedAt: cached.fetchedAt },
      note: staleNote(object, o, cached, 'without a REST API token, Vitally cannot be asked for a newer one'),
    };
  }
  return {
    catalogue: null,
    note: `Vitally's ${object} trait catalogue was not read: there is no REST API token to ask for it with (VITALLY_API_TOKEN or --token-file), and ${o.db ? 'the state store holds no copy' : 'there is no state store to hold a copy'}. With the token, a dry run reads it too (a GET changes nothing) and shows what a real run sends`,
  };
}

function staleNote(object: string, o: LoadOptions, cached: Cached, why: string): string {
  return `the ${object} trait catalogue used is the stored copy of ${cached.fetchedAt}${o.refresh ? '' : ' (more than a day old)'}: ${why.replace(/^Could not read Vitally's \S+ trait catalogue: /, '')}`;
}

/**
 * Vitally answered, but not with a catalogue (an error status, a 403 of a workspace without the feature,
 * a body that is no list of fields): the default --types auto goes on without one.
 */
export class CatalogueNotGiven extends ConfigError {}

/**
 * GET /resources/customFields?model=...; a failure is a ConfigError (exit 2) unless the token was refused
 * (AuthError, exit 3): a CatalogueNotGiven when Vitally answered something else than the catalogue.
 */
export async function fetchFields(sender: Sender, spec: ObjectSpec): Promise<ReturnType<typeof parseFields>> {
  const req = catalogueRequest(spec);
  const why = `Could not read Vitally's ${spec.name} trait catalogue`;
  let json: unknown;
  try {
    json = (await sender.send(req)).json;
  } catch (err) {
    if (err instanceof AuthError) throw err;
    if (err instanceof ApiError) throw new CatalogueNotGiven(`${why}: ${err.message}`);
    if (err instanceof NetworkError) throw new ConfigError(`${why}: ${err.message}`);
    throw err;
  }
  try {
    return parseFields(json, `${req.method} ${req.path}`);
  } catch (err) {
    throw new CatalogueNotGiven(`${why}: ${(err as Error).message}`);
  }
}
