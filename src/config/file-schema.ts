/**
 * The shape of the config file (zod), and the checks that need more than its shape: sync names and
 * object types. An error names the path of the bad key and, for an unknown key, the setting meant.
 */
import { editDistance } from '../schema/suggest.js';
import type { z, z as Z } from 'zod';
import { zod } from '../zod-lazy.js';
import { ConfigError } from '../errors.js';
import { normalizeName } from '../mapping/mapper.js';
import { objectNames } from '../objects/index.js';
import { MODE_NAMES } from '../plan/plan.js';
import { readerNames } from '../source/index.js';

/** Sync names: a letter first, so no name is an integer key (which JavaScript would reorder). */
export const SYNC_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const TYPES = ['string', 'number', 'boolean', 'date', 'datetime', 'json'] as const;

/** The schemas, built on first use (zod is loaded lazily: see zod-lazy.ts). */
function buildSchemas(z: typeof Z) {
  const count = () => z.number().int().min(0);

  const NET = {
    rate: count().optional(),
    concurrency: count().optional(),
    maxRetries: count().optional(),
    timeout: count().optional(),
    connectTimeout: count().optional(),
  };

  const ConnectionSchema = z.strictObject({
    region: z.enum(['us', 'eu']).optional(),
    subdomain: z.string().min(1).optional(),
    baseUrl: z.string().min(1).optional(),
    analyticsBaseUrl: z.string().min(1).optional(),
    tokenFile: z.string().min(1).optional(),
    analyticsTokenFile: z.string().min(1).optional(),
    ...NET,
  });

  const SyncSchema = z.strictObject({
    description: z.string().optional(),
    file: z.string().min(1),
    object: z.string().min(1),
    mode: z.enum(MODE_NAMES as [string, ...string[]]).optional(),
    match: z.enum(['externalId', 'email']).optional(),
    format: z.enum(readerNames() as [string, ...string[]]).optional(),
    query: z.string().min(1).optional(),
    queryFile: z.string().min(1).optional(),
    passwordFile: z.string().min(1).optional(),
    scope: z.string().min(1).optional(),
    delimiter: z.string().min(1).optional(),
    listSeparator: z.string().min(1).optional(),
    empty: z.enum(['omit', 'null']).optional(),
    map: z
      .union([z.record(z.string(), z.string()), z.array(z.string())], {
        error: 'must be an object of column: target, or a list of "column=target" strings',
      })
      .optional(),
    mapping: z
      .union([z.string().min(1), z.record(z.string(), z.unknown())], {
        error: 'must be the path of a mapping file, or a mapping object {columns, ignore}',
      })
      .optional(),
    ignore: z.array(z.string()).optional(),
    types: z
      .union([z.enum(['as-read', 'vitally']), z.record(z.string(), z.enum(TYPES))], {
        error: `must be as-read or vitally (as --types), or an object of column: type (${TYPES.join(', ')})`,
      })
      .optional(),
    strictTraits: z.boolean().optional(),
    customFields: z.string().min(1).optional(),
    state: z.union([z.string().min(1), z.literal(false)], { error: 'must be a file path, or false for no state store' }).optional(),
    full: z.boolean().optional(),
    rejects: z.string().min(1).optional(),
    logRequests: z.string().min(1).optional(),
    deleteMissing: z.boolean().optional(),
    maxDeletes: count().optional(),
    via: z.enum(['rest', 'analytics']).optional(),
    batchSize: count().optional(),
    event: z.string().min(1).optional(),
    eventColumn: z.string().min(1).optional(),
    timestampColumn: z.string().min(1).optional(),
    unlinkRemoved: z.boolean().optional(),
    ...NET,
  });

  const FileSchema = z.strictObject({
    $schema: z.string().optional(),
    connection: ConnectionSchema.optional(),
    syncs: z.record(z.string(), SyncSchema).optional(),
  });
  return { NET, ConnectionSchema, SyncSchema, FileSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let built: Schemas | undefined;
const schemas = (): Schemas => (built ??= buildSchemas(zod()));

export type ConnectionSection = z.infer<Schemas['ConnectionSchema']>;
export type SyncSection = z.infer<Schemas['SyncSchema']>;

/** The settings the network options share, in the connection and in each sync. */
export type NetSection = Pick<ConnectionSection, keyof Schemas['NET']>;

/** The parsed content of a config file (`raw`, read from `path`), checked whole. */
export function parseConfig(raw: unknown, path: string): { connection: ConnectionSection; syncs: Record<string, SyncSection> } {
  const parsed = schemas().FileSchema.safeParse(raw ?? {});
  if (!parsed.success) throw new ConfigError(`${path}: ${describeIssue(parsed.error.issues[0]!)}`);
  const data = parsed.data;
  const syncs = data.syncs ?? {};
  for (const [name, sync] of Object.entries(syncs)) {
    if (!SYNC_NAME.test(name)) {
      throw new ConfigError(`${path}: syncs.${name}: a sync name starts with a letter and holds letters, digits, '_', '-' and '.'`);
    }
    if (!(objectNames() as string[]).includes(sync.object)) {
      throw new ConfigError(`${path}: syncs.${name}.object: "${sync.object}" is not known: use one of ${objectNames().join(', ')}`);
    }
  }
  return { connection: data.connection ?? {}, syncs };
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
