/**
 * `vitally-sync fields --object <type>`: the custom traits Vitally knows for an object type (label, key,
 * type, picklist options) and what `push --types vitally` makes of a cell of each. It always asks
 * Vitally, and keeps the answer in the state store for the runs of the next day (and for dry runs).
 */
import { destinationOf } from '../state/destination.js';
import { existsSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { resolveConnection, type Connection, type ConnectionFlags } from '../config/connection.js';
import { withConfigFile } from '../config/file-sources.js';
import { resolveNet } from '../config/net.js';
import { DEFAULT_STATE_PATH } from '../config/push.js';
import { ConfigError } from '../errors.js';
import { getObject, objectsWhere, pluralOf, type ObjectSpec } from '../objects/index.js';
import { createSandbox, type Sandbox } from '../sandbox/index.js';
import { sandboxCatalogue, type Catalogue } from '../schema/catalogue.js';
import { defineFromVitally } from '../schema/definitions.js';
import { loadCatalogue } from '../schema/load.js';
import { conversionText } from '../schema/types.js';
import { visible } from '../text.js';
import { openStore, type DB } from '../state/store.js';
import type { CliIO } from './io.js';
import { guardIO } from './secret-io.js';
import { createSender } from '../api/sender.js';

export interface FieldsFlags extends ConnectionFlags {
  object?: string;
  json?: boolean;
  sandbox?: boolean;
  customFields?: string;
  state?: string | boolean;
  config?: string | boolean;
  /** --timeout: the ms allowed for each answer. */
  timeout?: string;
  /** --max-retries: retries of a request that failed on the server's side. */
  maxRetries?: string;
}

/** The object type whose catalogue is wanted, checked (a custom object's still a stand-in: see definitions.ts). */
export function catalogueObject(name: string | undefined, command: string): ObjectSpec {
  const CATALOGUE_OBJECTS = objectsWhere((o) => o.catalogue).map((o) => o.name);
  if (!name) throw new ConfigError(`${command} needs --object (${CATALOGUE_OBJECTS.join(', ')})`, 'CONFIG_MISSING');
  const spec = getObject(name);
  if (!spec.catalogue) throw new ConfigError(`${command}: Vitally keeps no trait catalogue for ${pluralOf(spec)} (only ${CATALOGUE_OBJECTS.join(', ')})`);
  return spec;
}

export async function fieldsCommand(given: FieldsFlags, rawIO: CliIO): Promise<number> {
  const io = guardIO(rawIO);
  const flags = withConfigFile(given, io.env, process.cwd());
  let spec = catalogueObject(flags.object, 'fields');
  let sandbox: Sandbox | undefined;
  let db: DB | undefined;
  try {
    let catalogue: Catalogue | null;
    if (flags.customFields && !flags.sandbox) {
      catalogue = (await loadCatalogue({ spec, file: flags.customFields })).catalogue;
    } else {
      let connection: Connection;
      if (flags.sandbox) {
        sandbox = await createSandbox({ ...sandboxCatalogue(flags.customFields), recordRequests: false });
        connection = { baseUrl: sandbox.url, token: sandbox.token, tokenSource: 'the sandbox token' };
      } else connection = resolveConnection(flags, io.env, true);
      io.secrets.add(connection.token);
      const statePath =
        flags.state === false || (flags.sandbox && typeof flags.state !== 'string')
          ? null
          : resolvePath(typeof flags.state === 'string' ? flags.state : DEFAULT_STATE_PATH);
      // The copy is kept only where a state store already is, or was asked for: listing creates no file.
      if (statePath && (existsSync(statePath) || typeof flags.state === 'string')) db = openStore(statePath);
      const sender = createSender({ net: resolveNet({ timeout: flags.timeout, maxRetries: flags.maxRetries }, io.env) }, connection);
      try {
        spec = await defineFromVitally(spec, sender);
        catalogue = (await loadCatalogue({ spec, db, destination: destinationOf(connection.baseUrl, connection.token), sender, refresh: true })).catalogue;
      } finally {
        await sender.http.close();
        sender.pacer.close();
      }
    }
    io.stdout.write(flags.json ? `${JSON.stringify(toJson(catalogue!))}\n` : humanFields(catalogue!));
    return 0;
  } finally {
    db?.close();
    await sandbox?.close();
  }
}

function toJson(c: Catalogue) {
  return {
    object: c.object,
    model: c.model,
    from: c.from,
    fetchedAt: c.fetchedAt,
    fields: c.fields.map((f) => ({ label: f.label, key: f.key, type: f.type, ...(f.options ? { options: f.options } : {}), pushAs: conversionText(f) })),
  };
}

export function humanFields(c: Catalogue): string {
  const source = c.from === 'file' ? 'from the catalogue file' : `from ${c.path}`;
  if (c.fields.length === 0) return `Vitally lists no ${c.label} (${source}).\n`;
  const rows = [['LABEL', 'KEY', 'TYPE', 'PUSH --TYPES VITALLY SENDS', 'OPTIONS']];
  for (const f of c.fields) rows.push([f.label, f.key, f.type, conversionText(f), f.options?.join(', ') ?? ''].map(visible));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
  return [
    `${c.fields.length} ${c.fields.length === 1 ? c.label.replace(/s$/, '') : c.label} in Vitally (${source}):`,
    '',
    ...lines,
    '',
    `Send one with a column named traits.<key>, or --map <column>=traits.<key>; push --types vitally converts cells by the type.`,
    '',
  ].join('\n');
}
