/**
 * The trait-catalogue flags of `push` (--types, --strict-traits, --refresh-schema, --custom-fields),
 * checked once into TraitCheckSettings.
 */
import { existsSync } from 'node:fs';
import { resolveConnection, type Connection, type ConnectionFlags, type Env } from './connection.js';
import { ConfigError } from '../errors.js';
import { pluralOf, type ObjectSpec } from '../objects/index.js';
import { TYPES_POLICIES, type TraitCheckSettings, type TypesPolicy } from '../schema/setup.js';

export type { TraitCheckSettings };

export interface TraitFlags {
  types?: string;
  strictTraits?: boolean;
  refreshSchema?: boolean;
  customFields?: string;
}

export function resolveTraitCheck(
  flags: TraitFlags & ConnectionFlags,
  env: Env,
  o: { spec: ObjectSpec; dryRun: boolean; sandbox: boolean },
): TraitCheckSettings {
  // A custom object's traits are typed by its fields unless asked otherwise: its definition lists them all.
  const types = (flags.types ?? (o.spec.definition ? 'vitally' : 'auto')) as TypesPolicy;
  if (!TYPES_POLICIES.includes(types)) throw new ConfigError(`--types "${flags.types}" is not known: use auto (default), vitally or as-read`);
  const strict = Boolean(flags.strictTraits);
  const hasCatalogue = o.spec.traits && o.spec.catalogue;
  // auto asks for the catalogue where there is one; vitally and --strict-traits need it.
  const enabled = types === 'vitally' || strict || (types === 'auto' && hasCatalogue);
  if (flags.customFields !== undefined && !existsSync(flags.customFields)) throw new ConfigError(`--custom-fields ${flags.customFields}: no such file`);
  if (!enabled) {
    if (flags.refreshSchema)
      throw new ConfigError(
        `--refresh-schema: the trait catalogue is not read (${types === 'as-read' ? '--types as-read' : `Vitally keeps none for ${pluralOf(o.spec)}`})`,
      );
    return { enabled, types, strict, refresh: false, file: flags.customFields };
  }
  if (!hasCatalogue) {
    throw new ConfigError(`${types === 'vitally' ? '--types vitally' : '--strict-traits'}: Vitally keeps no trait catalogue for ${pluralOf(o.spec)}`);
  }
  let connection: Connection | undefined;
  if (!o.sandbox && !flags.customFields) {
    try {
      connection = resolveConnection(flags, env, !o.dryRun);
      // A dry run without a token has nothing to ask the catalogue with.
      if (connection.token === '') connection = undefined;
    } catch (err) {
      // A dry run may go without a token; so may the default (rows sent through the Analytics API need no
      // REST token): the catalogue is then not read, and the summary says what that leaves unchecked.
      const optional = o.dryRun || (types === 'auto' && !strict);
      if (!(optional && err instanceof ConfigError && err.code === 'CONFIG_MISSING')) throw err;
    }
  }
  return { enabled, types, strict, refresh: Boolean(flags.refreshSchema), file: flags.customFields, connection };
}
