/**
 * Parquet values as JSON values: what hyparquet decodes, finished by the policy of `typed.ts`. Each
 * top-level column gets a converter from its schema; nested columns (lists, structs, maps) are walked by
 * theirs, and become JSON arrays and objects whose values are converted as top-level ones are.
 */
import type { FileMetaData, ParquetParsers, SchemaElement, SchemaTree } from 'hyparquet';
import {
  Unrepresentable,
  bytesValue,
  dateFromDays,
  decimalValue,
  floatValue,
  int64Value,
  isoFromEpoch,
  isoInstant,
  jsonFromText,
  scaledText,
  signedBigInt,
  timeOfDay,
} from './typed.js';

export type Converter = (value: unknown) => unknown;

const jsonText = new TextDecoder('utf-8', { fatal: true });

/** hyparquet's parsers: timestamps and dates straight to ISO 8601 text; text that is not UTF-8 and JSON that does not parse fail their row. */
export const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (v) => isoFromEpoch(BigInt(v), 'ms'),
  timestampFromMicroseconds: (v) => isoFromEpoch(BigInt(v), 'us'),
  timestampFromNanoseconds: (v) => isoFromEpoch(BigInt(v), 'ns'),
  dateFromDays: (days) => dateFromDays(days),
  stringFromBytes(bytes) {
    if (!bytes) return undefined;
    const text = bytesValue(bytes);
    return text instanceof Unrepresentable
      ? new Unrepresentable(`text that is not valid UTF-8 (${bytes.length} bytes) cannot be sent as it is`, text.shown)
      : text;
  },
  jsonFromBytes(bytes) {
    if (!bytes) return undefined;
    try {
      return jsonFromText(jsonText.decode(bytes));
    } catch (err) {
      return new Unrepresentable(`not valid JSON (${(err as Error).message})`, Buffer.from(bytes).toString('utf8').slice(0, 200));
    }
  },
};

/** Any decoded value, nested or not, as JSON (null for a missing one); an Unrepresentable anywhere wins. */
export function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return floatValue(v);
    case 'bigint':
      return int64Value(v);
  }
  if (v instanceof Unrepresentable) return v;
  if (v instanceof Uint8Array) return bytesValue(v);
  if (v instanceof Date) {
    const ms = v.getTime();
    return isoInstant(Math.floor(ms / 1000), String(((ms % 1000) + 1000) % 1000).padStart(3, '0'));
  }
  if (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const list = v as ArrayLike<unknown>;
    const out: unknown[] = [];
    for (let i = 0; i < list.length; i++) {
      const j = jsonValue(list[i]);
      if (j instanceof Unrepresentable) return j;
      out.push(j);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) {
    const j = jsonValue(x);
    if (j instanceof Unrepresentable) return j;
    out[k] = j;
  }
  return out;
}

/** A top-level value: a missing one is undefined (an empty cell to the mapper: --empty decides). */
const topLevel =
  (convert: Converter): Converter =>
  (v) =>
    v === null || v === undefined ? undefined : convert(v);

function decimalConverter(scale: number): Converter {
  return (v) => {
    const unscaled = v instanceof Uint8Array ? signedBigInt(v) : BigInt(v as number | bigint);
    return decimalValue(scaledText(unscaled, scale));
  };
}

/** Annotations hyparquet cannot read: the column must be left out (--ignore). */
export function unreadableType(e: SchemaElement): string | undefined {
  if (e.converted_type === 'INTERVAL' || e.logical_type?.type === 'INTERVAL') return 'INTERVAL';
  if (e.converted_type === 'BSON' || e.logical_type?.type === 'BSON') return 'BSON';
  return undefined;
}

function leafConverter(e: SchemaElement): Converter {
  const lt = e.logical_type;
  if (e.converted_type === 'DECIMAL' || lt?.type === 'DECIMAL') return decimalConverter(lt?.type === 'DECIMAL' ? lt.scale : (e.scale ?? 0));
  const timeUnit =
    e.converted_type === 'TIME_MILLIS'
      ? 'ms'
      : e.converted_type === 'TIME_MICROS'
        ? 'us'
        : lt?.type === 'TIME'
          ? ({ MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' } as const)[lt.unit]
          : undefined;
  if (timeUnit) return (v) => timeOfDay(BigInt(v as number | bigint), timeUnit);
  if (lt?.type === 'DATE' || e.converted_type === 'DATE') return (v) => (typeof v === 'number' ? dateFromDays(v) : v);
  return jsonValue;
}

/** Whether hyparquet's own conversion of this element is replaced by ours (it would round the value). */
const convertedHere = (e: SchemaElement): boolean =>
  e.converted_type === 'DECIMAL' || e.logical_type?.type === 'DECIMAL' || e.logical_type?.type === 'TIME' || e.converted_type?.startsWith('TIME_') === true;

/** The leaves of a column, nested or not. */
function leaves(node: SchemaTree): SchemaTree[] {
  return node.children.length === 0 ? [node] : node.children.flatMap(leaves);
}

/**
 * The metadata hyparquet reads with: DECIMAL and TIME leaves, top-level or nested, lose their annotation,
 * so their raw integers or bytes come through and are converted exactly here instead of to a rounded double.
 */
export function readableMetadata(metadata: FileMetaData, tree: SchemaTree): FileMetaData {
  const stripped = new Set(
    tree.children
      .flatMap(leaves)
      .filter((c) => convertedHere(c.element))
      .map((c) => c.element),
  );
  if (stripped.size === 0) return metadata;
  const schema = metadata.schema.map((e) => {
    if (!stripped.has(e)) return e;
    const { converted_type: _c, logical_type: _l, ...rest } = e;
    return rest as SchemaElement;
  });
  return { ...metadata, schema };
}

/** Converts the items of a list, or (when the value is not one) the value as JSON; an Unrepresentable anywhere wins. */
const listOf =
  (item: Converter): Converter =>
  (v) => {
    if (!Array.isArray(v)) return jsonValue(v);
    const out: unknown[] = [];
    for (const x of v) {
      const j = x === null || x === undefined ? null : item(x);
      if (j instanceof Unrepresentable) return j;
      out.push(j);
    }
    return out;
  };

/** Converts the values of an object (a struct's fields, a map's values), each by its converter. */
const objectOf =
  (field: (key: string) => Converter): Converter =>
  (v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return jsonValue(v);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const j = x === null || x === undefined ? null : field(k)(x);
      if (j instanceof Unrepresentable) return j;
      out[k] = j;
    }
    return out;
  };

/** A column's converter from its schema, as hyparquet assembles it: a LIST or repeated field an array, a MAP or struct an object. */
function nodeConverter(node: SchemaTree, repeated = node.element.repetition_type === 'REPEATED'): Converter {
  const convert = ((): Converter => {
    const e = node.element;
    if (node.children.length === 0) return leafConverter(e);
    if (e.logical_type?.type === 'VARIANT') return jsonValue;
    const [item] = node.children;
    if (e.converted_type === 'LIST' && node.children.length === 1 && item!.children.length <= 1 && item!.element.repetition_type === 'REPEATED') {
      return item!.children.length === 1 ? listOf(nodeConverter(item!.children[0]!)) : listOf(nodeConverter(item!, false));
    }
    if (e.converted_type === 'MAP' && node.children.length === 1 && item!.children.length === 2 && item!.element.repetition_type === 'REPEATED') {
      const value = nodeConverter(item!.children.find((c) => c.element.name === 'value') ?? item!.children[1]!);
      return objectOf(() => value);
    }
    const fields = new Map(node.children.map((c) => [c.element.name, nodeConverter(c)]));
    return objectOf((k) => fields.get(k) ?? jsonValue);
  })();
  return repeated ? listOf(convert) : convert;
}

/** The converter of each top-level column. */
export function columnConverters(tree: SchemaTree): Map<string, Converter> {
  const out = new Map<string, Converter>();
  for (const child of tree.children) out.set(child.element.name, topLevel(nodeConverter(child)));
  return out;
}
