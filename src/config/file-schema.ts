/**
 * The shape of the config file: which keys each section holds, derived from the settings table
 * (settings.ts), so the file takes exactly the settings the command line takes. zod checks the shape
 * (an unknown key is named with the setting meant); each value is then read by its setting's own rule,
 * as a flag would be. An error names the path of the bad key.
 */
import type { z, z as Z } from 'zod';
import { ConfigError } from '../errors.js';
import { normalizeName } from '../mapping/mapper.js';
import { isObjectName, objectNames } from '../objects/index.js';
import { editDistance } from '../schema/suggest.js';
import { zod } from '../zod-lazy.js';
import { readSetting } from './sources.js';
import { fileSettings } from './settings.js';

/** Sync names: a letter first, so no name is an integer key (which JavaScript would reorder). */
export const SYNC_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/** A sync as a file holds it: its input, and any setting of the `sync` section. */
export interface SyncSection {
  file: string;
  object: string;
  description?: string;
  [setting: string]: unknown;
}

export type ConnectionSection = Record<string, unknown>;

/** The schemas, built on first use (zod is loaded lazily: see zod-lazy.ts). */
function buildSchemas(z: typeof Z) {
  const keys = (names: string[]) => Object.fromEntries(names.map((n) => [n, z.unknown().optional()]));
  const ConnectionSchema = z.strictObject(keys(fileSettings('connection')));
  const SyncSchema = z.strictObject({
    ...keys(fileSettings('sync')),
    description: z.string().optional(),
    file: z.string().min(1),
    object: z.string().min(1),
  });
  const FileSchema = z.strictObject({
    $schema: z.string().optional(),
    connection: ConnectionSchema.optional(),
    syncs: z.record(z.string(), SyncSchema).optional(),
  });
  return { ConnectionSchema, SyncSchema, FileSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas(zod()));

/** Read each value of a section by its setting's rule; paths become absolute (relative to `dir`). */
function readSection(values: Record<string, unknown>, names: string[], where: string, dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const name of names) {
    if (values[name] !== undefined) out[name] = readSetting(name, values[name], { origin: 'sync', where, dir });
  }
  return out;
}

/** The parsed content of a config file (`raw`, read from `path`, in folder `dir`), checked whole. */
export function parseConfig(raw: unknown, path: string, dir: string): { connection: ConnectionSection; syncs: Record<string, SyncSection> } {
  const parsed = schemas().FileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssue(parsed.error.issues[0]!)}`);
  const data = parsed.data;
  const syncs: Record<string, SyncSection> = {};
  for (const [name, sync] of Object.entries(data.syncs ?? {})) {
    if (!SYNC_NAME.test(name)) {
      throw new ConfigError(`${path}: syncs.${name}: a sync name starts with a letter and holds letters, digits, '_', '-' and '.'`);
    }
    if (!isObjectName(sync.object)) {
      throw new ConfigError(`${path}: syncs.${name}.object: "${sync.object}" is not known: use one of ${objectNames().join(', ')}`);
    }
    syncs[name] = readSection(sync, fileSettings('sync'), `${path}: syncs.${name}`, dir) as SyncSection;
  }
  const connection = readSection(data.connection ?? {}, fileSettings('connection'), `${path}: connection`, dir);
  return { connection, syncs };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const known = knownKeys(at);
    const near = known.find((k) => closeTo(k, key));
    return `${[...at, key].join('.')}: unknown setting${near ? ` (did you mean "${near}"?)` : known.length ? ` (known: ${known.join(', ')})` : ''}`;
  }
  return `${at.length ? at.join('.') : '(top level)'}: ${issue.message}`;
}

function knownKeys(at: string[]): string[] {
  const { FileSchema, ConnectionSchema, SyncSchema } = schemas();
  if (at.length === 0) return Object.keys(FileSchema.shape);
  if (at[0] === 'connection') return Object.keys(ConnectionSchema.shape);
  if (at[0] === 'syncs' && at.length === 2) return Object.keys(SyncSchema.shape);
  return [];
}

/** Edit distance at most 2, or the same name once case, '_' and '-' are ignored. */
function closeTo(a: string, b: string): boolean {
  if (normalizeName(a) === normalizeName(b)) return true;
  return Math.abs(a.length - b.length) <= 2 && editDistance(a.toLowerCase(), b.toLowerCase()) <= 2;
}
