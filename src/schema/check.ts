/**
 * The trait-key check: every trait key a run fills is compared with the keys Vitally knows (its catalogue
 * and the standard traits). An unknown key is reported once, with the closest known keys; under
 * --strict-traits it is a configuration error, found before any row is sent.
 */
import { ConfigError } from '../errors.js';
import { Mapper, type MapperOptions } from '../mapping/mapper.js';
import type { ObjectSpec } from '../objects/index.js';
import { readerFor, readRecords, type SourceOptions } from '../source/index.js';
import type { TraitField } from './catalogue.js';
import { orList, suggest } from './suggest.js';

export interface UnknownKey {
  key: string;
  column: string;
  suggestions: string[];
}

export class TraitKeyCheck {
  private readonly known: Set<string>;
  private readonly checked = new Set<string>();
  private readonly unknown: UnknownKey[] = [];
  /** Throw at the first unknown key (set once the pre-scan has passed, for keys first met later). */
  throwing = false;

  constructor(
    private readonly object: string,
    fields: TraitField[],
  ) {
    this.known = new Set(fields.map((f) => f.key));
  }

  /** The mapper hook: told of each trait key a column fills. */
  readonly onTraitKey = (key: string, column: string): void => {
    if (this.checked.has(key)) return;
    this.checked.add(key);
    if (this.known.has(key)) return;
    const u = { key, column, suggestions: suggest(key, this.known) };
    this.unknown.push(u);
    if (this.throwing) throw this.error();
  };

  get unknownKeys(): readonly UnknownKey[] {
    return this.unknown;
  }

  /** One summary warning per unknown key (`closeOnly`: per unknown key close to a known one, a likely slip). */
  warnings(closeOnly = false): string[] {
    return this.unknown.filter((u) => !closeOnly || u.suggestions.length > 0).map((u) => this.describe(u));
  }

  describe(u: UnknownKey): string {
    const where = u.column !== u.key && u.column !== `traits.${u.key}` ? ` (column "${u.column}")` : '';
    if (u.suggestions.length === 0) return `${u.key}${where}: not a known ${this.object} trait; nothing close in Vitally's catalogue`;
    const hint = u.suggestions.length === 1 && u.column !== 'traits' ? ` (--map ${u.column}=traits.${u.suggestions[0]})` : '';
    return `${u.key}${where}: not a known ${this.object} trait; did you mean ${orList(u.suggestions)}?${hint}`;
  }

  /** The --strict-traits error naming every unknown key found so far. */
  error(): ConfigError {
    const list = this.unknown.map((u) => (u.suggestions.length ? `${u.key} (did you mean ${orList(u.suggestions)}?)` : u.key)).join(', ');
    const n = this.unknown.length;
    return new ConfigError(
      `--strict-traits: ${n === 1 ? 'a trait key is' : `${n} trait keys are`} not known ${this.object} traits in Vitally: ${list}. Map ${n === 1 ? 'it' : 'them'} to known keys (--map column=traits.<key>; \`vitally-sync fields --object ${this.object}\` lists them), --ignore ${n === 1 ? 'it' : 'them'}, or drop --strict-traits. Nothing was sent`,
    );
  }
}

/**
 * Before any row is sent: resolve the columns of the input (a CSV header, a Parquet file's or a query's
 * first row, every key of an NDJSON file) so the check hears of every trait key. Standard input cannot
 * be read twice: it is checked as it is read instead. Rows that cannot be read are left to the run.
 */
export async function prescan(spec: ObjectSpec, mapper: MapperOptions, source: SourceOptions, check: TraitKeyCheck): Promise<void> {
  if (source.path === '-') return;
  const m = new Mapper(spec, { ...mapper, onTraitKey: check.onTraitKey });
  const columnsFromFirst = readerFor(source.path, source.format).columnsFromFirst;
  for await (const rec of readRecords(source)) {
    if (rec.data) m.scan(rec.data);
    // A CSV, Parquet or query record has every column of the header or schema: the first one tells all.
    if (columnsFromFirst && rec.data) break;
  }
}
