/**
 * The trait-catalogue flags of `push` (--types, --strict-traits, --refresh-schema, --custom-fields),
 * checked once into TraitCheckSettings.
 */
import { existsSync } from 'node:fs';
import { resolveConnection, type Connection, type ConnectionFlags, type Env } from '../config/connection.js';
import { ConfigError } from '../errors.js';
import type { ObjectName, ObjectSpec } from '../objects/index.js';

export interface TraitFlags {
  types?: string;
  strictTraits?: boolean;
  refreshSchema?: boolean;
  customFields?: string;
}

export type TypesPolicy = 'as-read' | 'vitally';
export const TYPES_POLICIES: readonly TypesPolicy[] = ['as-read', 'vitally'];

/** The object types Vitally keeps a custom-field catalogue for. */
export const CATALOGUE_OBJECTS: readonly ObjectName[] = ['account', 'user', 'organization', 'note', 'task', 'conversation'];

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

export function resolveTraitCheck(
  flags: TraitFlags & ConnectionFlags,
  env: Env,
  o: { spec: ObjectSpec; dryRun: boolean; sandbox: boolean },
): TraitCheckSettings {
  const types = (flags.types ?? 'as-read') as TypesPolicy;
  if (!TYPES_POLICIES.includes(types)) throw new ConfigError(`--types "${flags.types}" is not known: use as-read (default) or vitally`);
  const strict = Boolean(flags.strictTraits);
  const enabled = types === 'vitally' || strict;
  if (flags.customFields !== undefined && !existsSync(flags.customFields)) throw new ConfigError(`--custom-fields ${flags.customFields}: no such file`);
  if (!enabled) {
    if (flags.refreshSchema) throw new ConfigError('--refresh-schema needs --types vitally or --strict-traits (the catalogue is read only for them)');
    return { enabled, types, strict, refresh: false, file: flags.customFields };
  }
  if (!o.spec.traits || !CATALOGUE_OBJECTS.includes(o.spec.name)) {
    throw new ConfigError(`${types === 'vitally' ? '--types vitally' : '--strict-traits'}: Vitally keeps no trait catalogue for ${o.spec.name}s`);
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
