/**
 * What `push` does with the catalogue before the run starts: get it once (a dry run too, when it has a
 * token: a GET changes nothing), then give the mapper the converters of known traits (--types auto or
 * vitally) and the trait-key check, and, under --strict-traits, check the input's columns before any
 * row is sent. Under the default --types auto a catalogue that cannot be had is no error: the run types
 * trait columns by Vitally's own traits and by their values, and the summary says which conversions it
 * could not apply.
 */
import { destinationOf } from '../state/destination.js';
import type { MapperOptions, TraitConverter } from '../mapping/mapper.js';
import type { ObjectSpec } from '../objects/index.js';
import type { SourceOptions } from '../source/index.js';
import type { Connection, Summary } from '../types.js';
import type { DB } from '../state/store.js';
import type { Sender } from '../vitally/sender.js';
import type { Catalogue, TraitField } from './catalogue.js';
import { prescan, TraitKeyCheck } from './check.js';
import { CatalogueNotGiven, loadCatalogue, type Loaded } from './load.js';
import { standardTraits } from './standard.js';
import { converterFor } from './types.js';

/**
 * auto (default): by Vitally's catalogue where it knows the key, else from the column's first values;
 * vitally: by the catalogue only (it must be had), others as read; as-read: typed by --map only.
 */
export type TypesPolicy = 'auto' | 'vitally' | 'as-read';
export const TYPES_POLICIES: readonly TypesPolicy[] = ['auto', 'vitally', 'as-read'];

/** What push asks of the trait catalogue (--types, --strict-traits, --refresh-schema, --custom-fields). */
export interface TraitCheckSettings {
  /** The catalogue is wanted (--types auto or vitally, or --strict-traits, for an object type that has one). */
  enabled: boolean;
  /** How trait cells are typed when --map does not (see TypesPolicy). */
  types: TypesPolicy;
  strict: boolean;
  refresh: boolean;
  /** --custom-fields: the catalogue comes from this file (and an in-process sandbox serves it). */
  file?: string | undefined;
  /** Where the catalogue is asked for: the REST API (also when rows go through the Analytics API). */
  connection?: Connection | undefined;
}

export interface TraitSetup {
  catalogue: Catalogue | null;
  /** Merged into the run's mapper options. */
  mapper: Pick<MapperOptions, 'traitConverters' | 'onTraitKey'>;
  /**
   * For the summary: unknown keys, why the check was skipped or may be out of date, and (given the types
   * the run used) which trait columns a run with the catalogue might convert differently.
   */
  warnings(used?: Summary['traitTypes']): string[];
}

export interface TraitDeps {
  spec: ObjectSpec;
  dryRun: boolean;
  db?: DB | undefined;
  /** The REST API to ask (the in-process sandbox's with --sandbox). */
  rest?: Connection | undefined;
  /** A sender of its own for the one catalogue request (closed here), so the run's counts are its rows'. */
  makeSender: (c: Connection) => Sender;
  source: SourceOptions;
  mapper: MapperOptions;
}

/** Every trait Vitally knows for the object: the catalogue's, then the standard ones it does not list. */
export function knownTraits(spec: ObjectSpec, catalogue: Catalogue): TraitField[] {
  const keys = new Set(catalogue.fields.map((f) => f.key));
  return [...catalogue.fields, ...standardTraits(spec).filter((f) => !keys.has(f.key))];
}

export async function setupTraits(s: TraitCheckSettings, d: TraitDeps): Promise<TraitSetup | undefined> {
  if (!s.enabled) return undefined;
  // No request when the type's definition gave its traits (a custom object's fields). A dry run asks too
  // when it has a token: what it prints is then converted as the real run converts.
  const sender = !s.file && d.rest && !d.spec.knownTraits ? d.makeSender(d.rest) : undefined;
  let loaded: Loaded;
  try {
    loaded = await loadCatalogue({
      spec: d.spec,
      file: s.file,
      db: d.db,
      destination: d.rest ? destinationOf(d.rest.baseUrl, d.rest.token) : undefined,
      readOnly: d.dryRun,
      sender,
      refresh: s.refresh,
    });
  } catch (err) {
    // The default does without a catalogue Vitally did not give (a refused token, or a host that does not
    // answer, still stops the run here).
    if (s.types !== 'auto' || s.strict || !(err instanceof CatalogueNotGiven)) throw err;
    loaded = { catalogue: null, note: `${err.message}: trait columns were typed by Vitally's own traits and by their values only` };
  } finally {
    await sender?.http.close();
    sender?.pacer.close();
  }
  const notes = loaded.note ? [loaded.note] : [];
  const catalogue = loaded.catalogue;
  // Without the catalogue, Vitally's own traits (mrr, nextRenewalDate...) are still known and typed.
  const known = catalogue ? knownTraits(d.spec, catalogue) : standardTraits(d.spec);
  const mapper: TraitSetup['mapper'] = {};
  if (s.types !== 'as-read') mapper.traitConverters = convertersOf(known);
  if (!catalogue) {
    return { catalogue, mapper, warnings: (used) => [...notes, ...(s.types !== 'as-read' ? uncheckedTypes(d.spec, used) : [])] };
  }

  const check = new TraitKeyCheck(d.spec.name, known);
  mapper.onTraitKey = check.onTraitKey;
  if (s.strict) {
    await prescan(d.spec, { ...d.mapper, ...mapper }, d.source, check);
    if (check.unknownKeys.length > 0) throw check.error();
    // Keys first met later (standard input) stop the run where they appear.
    check.throwing = true;
  }
  // The default names only the unknown keys close to a known one (a slip); --types vitally and
  // --strict-traits name every key Vitally does not know.
  return { catalogue, mapper, warnings: () => [...notes, ...check.warnings(s.types === 'auto' && !s.strict)] };
}

function convertersOf(known: TraitField[]): Map<string, TraitConverter> {
  const converters = new Map<string, TraitConverter>();
  for (const f of known) {
    const c = converterFor(f);
    if (c) converters.set(f.key, c);
  }
  return converters;
}

/**
 * Without the catalogue: the trait columns typed by their values (or sent as read) that a run with it
 * might convert otherwise (a picklist to its options' spelling, a list, text that holds digits).
 */
function uncheckedTypes(spec: ObjectSpec, used: Summary['traitTypes']): string[] {
  const columns = (used ?? []).filter((t) => t.from === 'inferred' || t.from === 'as-read').map((t) => t.column);
  if (columns.length === 0) return [];
  return [
    `these trait columns were not checked against Vitally's ${spec.name} trait catalogue, so a run that reads it may send them otherwise, converted by Vitally's type where it has one (a picklist to its options' spelling, a list, text that holds digits): ${columns.join(', ')}`,
  ];
}
