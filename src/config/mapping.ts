/**
 * A push's column mappings, from --mapping (a file, or in a config file's sync an object), --map (the
 * file's entries, then the command line's, which win for the same column), a sync's `types` (trait
 * columns' types) and --ignore.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { normalizeName, parseMapFlag, parseMappingFile, type ColumnMapping } from '../mapping/mapper.js';
import type { ObjectSpec } from '../objects/index.js';
import { codeOf } from './settings.js';
import type { Settings } from './sources.js';

function readMappingFile(path: string): { map: ColumnMapping[]; ignore: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(`--mapping ${path}: ${code === 'ENOENT' ? 'no such file' : `not valid JSON (${(err as Error).message})`}`, codeOf('mapping'));
  }
  return parseMappingFile(json, path);
}

/** A --map entry; one from a sync says where it is when it is malformed. */
function mapEntry(entry: string, where: string | undefined): ColumnMapping {
  const eq = entry.indexOf('=');
  if (where && eq <= 0) throw new ConfigError(`${where}.map: "${entry}": expected column=target or column=target:type`, codeOf('map'));
  return parseMapFlag(entry);
}

export function columnMappings(s: Settings, spec: ObjectSpec): { map: ColumnMapping[]; ignore: string[] } {
  const sync = s.sources.sync;
  const map: ColumnMapping[] = [];
  const ignore: string[] = [...(s.get<string[]>('ignore') ?? [])];
  /** Where an object value came from (a sync of the config file, or push()'s options), for messages. */
  const whereOf = (origin: string) => (origin === 'option' ? 'push() option' : sync!.where);
  const mapping = s.given<string | Record<string, unknown>>('mapping');
  if (mapping) {
    const m = typeof mapping.value === 'string' ? readMappingFile(mapping.value) : parseMappingFile(mapping.value, `${whereOf(mapping.origin)}.mapping`);
    map.push(...m.map);
    ignore.push(...m.ignore);
  }
  // A sync's "types" gives trait columns their type: on its --map entries, or as entries of their own.
  const types = s.given<string | Record<string, string>>('types');
  const typed = new Map(types && types.origin !== 'flag' && typeof types.value === 'object' ? Object.entries(types.value) : []);
  const entries = s.get<string[]>('map') ?? [];
  const fromFile = (sync?.values.map as string[] | undefined)?.length ?? 0;
  for (const [i, entry] of entries.slice(0, fromFile).entries()) {
    const m = mapEntry(entry, sync?.where);
    const type = typed.get(m.source);
    typed.delete(m.source);
    map.push(type && !entries[i]!.slice(entries[i]!.indexOf('=') + 1).includes(':') ? mapEntry(`${entry}:${type}`, sync?.where) : m);
  }
  if (typed.size > 0) {
    const standard = new Set(
      [
        ...Object.entries(spec.fields).flatMap(([n, f]) => [n, ...(f.aliases ?? [])]),
        ...Object.entries(spec.refs).flatMap(([n, r]) => [n, ...(r.aliases ?? [])]),
      ].map(normalizeName),
    );
    for (const [column, type] of typed) {
      if (!column.startsWith('traits.') && standard.has(normalizeName(column))) {
        throw new ConfigError(
          `${whereOf(types!.origin)}.types.${column}: "${column}" is a standard field of ${spec.name} and has its type already; "types" is for trait columns`,
          codeOf('types'),
        );
      }
      map.push(parseMapFlag(`${column}=${column.startsWith('traits.') ? column : `traits.${column}`}:${type}`));
    }
  }
  // The command line's entries come last: a later entry for the same column wins.
  for (const entry of entries.slice(fromFile)) map.push(parseMapFlag(entry));
  return { map, ignore };
}
