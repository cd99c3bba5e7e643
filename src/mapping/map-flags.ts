/**
 * Reading `--map source=target[:type]` values and `--mapping` files into column mappings. What a target
 * names is the mapper's to resolve (mapper.ts); here only the text is read and the type checked.
 */
import { ConfigError } from '../errors.js';
import { VALUE_TYPES, type ValueType } from './coerce.js';

export interface ColumnMapping {
  source: string;
  target: string;
  type?: ValueType;
}

/** Parse one `--map source=target[:type]` value. */
export function parseMapFlag(value: string): ColumnMapping {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) {
    throw new ConfigError(`--map "${value}": expected source=target or source=target:type (e.g. --map mrr=traits.mrr:number)`);
  }
  const source = value.slice(0, eq);
  return { source, ...parseTarget(value.slice(eq + 1), `--map "${value}"`) };
}

export function parseTarget(text: string, where: string): { target: string; type?: ValueType } {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return { target: text.trim() };
  const type = text.slice(colon + 1).trim();
  if (!(VALUE_TYPES as readonly string[]).includes(type)) {
    throw new ConfigError(`${where}: unknown type "${type}"; use one of ${VALUE_TYPES.filter((t) => t !== 'stringArray').join(', ')}`);
  }
  return { target: text.slice(0, colon).trim(), type: type as ValueType };
}

/** A mapping file: `{ "columns": { "src": "target[:type]" }, "ignore": ["col"] }`, or the columns object alone. */
export function parseMappingFile(json: unknown, file: string): { map: ColumnMapping[]; ignore: string[] } {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(`--mapping ${file}: expected a JSON object of column -> target`);
  }
  const obj = json as Record<string, unknown>;
  const columns = (obj.columns ?? (obj.ignore === undefined ? obj : {})) as Record<string, unknown>;
  const map: ColumnMapping[] = [];
  for (const [source, t] of Object.entries(columns)) {
    if (typeof t === 'string') map.push({ source, ...parseTarget(t, `--mapping ${file}: "${source}"`) });
    else if (t && typeof t === 'object' && typeof (t as { target?: unknown }).target === 'string') {
      const { target, type } = t as { target: string; type?: string };
      map.push({ source, ...parseTarget(type ? `${target}:${type}` : target, `--mapping ${file}: "${source}"`) });
    } else throw new ConfigError(`--mapping ${file}: "${source}" must map to a target name or {"target", "type"}`);
  }
  const ignore = obj.ignore ?? [];
  if (!Array.isArray(ignore) || ignore.some((c) => typeof c !== 'string')) {
    throw new ConfigError(`--mapping ${file}: "ignore" must be a list of column names`);
  }
  return { map, ignore: ignore as string[] };
}
