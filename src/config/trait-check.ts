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
  // A custom object's traits are typed by its fields unless asked otherwise: its definition lists them.
  const types = (flags.types ?? (o.spec.definition ? 'vitally' : 'as-read')) as TypesPolicy;
  if (!TYPES_POLICIES.includes(types)) throw new ConfigError(`--types "${flags.types}" is not known: use as-read (default) or vitally`);
  const strict = Boolean(flags.strictTraits);
  const enabled = types === 'vitally' || strict;
  if (flags.customFields !== undefined && !existsSync(flags.customFields)) throw new ConfigError(`--custom-fields ${flags.customFields}: no such file`);
  if (!enabled) {
    if (flags.refreshSchema) throw new ConfigError('--refresh-schema needs --types vitally or --strict-traits (the catalogue is read only for them)');
    return { enabled, types, strict, refresh: false, file: flags.customFields };
  }
  if (!o.spec.traits || !o.spec.catalogue) {
    throw new ConfigError(`${types === 'vitally' ? '--types vitally' : '--strict-traits'}: Vitally keeps no trait catalogue for ${pluralOf(o.spec)}`);
  }
  let connection: Connection | undefined;
  if (!o.sandbox && !flags.customFields) {
    try {
      connection = resolveConnection(flags, env, !o.dryRun);
    } catch (err) {
      if (!(o.dryRun && err instanceof ConfigError && err.code === 'CONFIG_MISSING')) throw err;
    }
  }
  return { enabled, types, strict, refresh: Boolean(flags.refreshSchema), file: flags.customFields, connection };
}
