/**
 * What `push` does with the catalogue before the run starts: get it once, then give the mapper the
 * converters of known traits (--types vitally) and the trait-key check, and, under --strict-traits,
 * check the input's columns before any row is sent.
 */
import { destinationOf } from '../state/destination.js';
import type { MapperOptions } from '../mapping/mapper.js';
import type { ObjectSpec } from '../objects/index.js';
import type { SourceOptions } from '../source/index.js';
import type { Connection } from '../types.js';
import type { DB } from '../state/store.js';
import type { Sender } from '../vitally/sender.js';
import type { Catalogue, TraitField } from './catalogue.js';
import { prescan, TraitKeyCheck } from './check.js';
import { loadCatalogue } from './load.js';
import { standardTraits } from './standard.js';
import { converterFor } from './types.js';

export type TypesPolicy = 'as-read' | 'vitally';
export const TYPES_POLICIES: readonly TypesPolicy[] = ['as-read', 'vitally'];

/** What push asks of the trait catalogue (--types, --strict-traits, --refresh-schema, --custom-fields). */
export interface TraitCheckSettings {
  /** The catalogue is needed (--types vitally or --strict-traits). */
  enabled: boolean;
  /** as-read (default): trait cells are sent as read unless --map types them; vitally: by the catalogue. */
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
  /** For the summary: unknown keys, and why the check was skipped or may be out of date. */
  warnings(): string[];
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
  // No request when the type's definition gave its traits (a custom object's fields).
  const sender = !d.dryRun && !s.file && d.rest && !d.spec.knownTraits ? d.makeSender(d.rest) : undefined;
  let loaded;
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
  } finally {
    await sender?.http.close();
    sender?.pacer.close();
  }
  const notes = loaded.note ? [loaded.note] : [];
  const catalogue = loaded.catalogue;
  if (!catalogue) return { catalogue, mapper: {}, warnings: () => notes };

  const known = knownTraits(d.spec, catalogue);
  const check = new TraitKeyCheck(d.spec.name, known);
  const mapper: TraitSetup['mapper'] = { onTraitKey: check.onTraitKey };
  if (s.types === 'vitally') {
    const converters = new Map<string, NonNullable<ReturnType<typeof converterFor>>>();
    for (const f of known) {
      const c = converterFor(f);
      if (c) converters.set(f.key, c);
    }
    mapper.traitConverters = converters;
  }
  if (s.strict) {
    await prescan(d.spec, { ...d.mapper, ...mapper }, d.source, check);
    if (check.unknownKeys.length > 0) throw check.error();
    // Keys first met later (standard input) stop the run where they appear.
    check.throwing = true;
  }
  return { catalogue, mapper, warnings: () => [...notes, ...check.warnings()] };
}
