/**
 * How push's settings go together: each rule refuses a setting (with that setting's code) where it
 * cannot work or would have no effect. A setting that would have no effect is refused when given on the
 * command line, and left unused when it comes from a config file's sync, so one file serves runs with
 * and without the store, through REST and Analytics, from CSV and NDJSON.
 */
import { ConfigError } from '../errors.js';
import type { ColumnMapping } from '../mapping/mapper.js';
import { objectsWhere, pluralList, pluralOf, type Mode, type ObjectSpec } from '../objects/index.js';
import { MODE_NAMES, type MatchBy } from '../plan/plan.js';
import { foreignSettings, readerSettings, type Reader } from '../source/index.js';
import { linkFields } from '../sync/links.js';
import type { CompareWith } from '../sync/compare/index.js';
import { TRANSPORTS, type Via } from '../sync/transports.js';
import { andList } from '../text.js';
import { codeOf } from './settings.js';
import type { Settings } from './sources.js';

const plurals = (which: (o: ObjectSpec) => boolean) => andList(objectsWhere(which).map(pluralOf));

export interface RunShape {
  spec: ObjectSpec;
  input: string;
  reader: Reader;
  statePath: string | null;
  /** Why --delete-missing cannot mirror this input as given (a query without --scope), if it cannot. */
  noMirror?: string | undefined;
  /** The run names its scope (--scope, or a sync's name): the state store files the input under it. */
  scoped?: boolean;
}

/** The mode, the match and the transport, once every rule between the settings holds. */
export function checkTogether(
  s: Settings,
  { spec, input, reader, statePath, noMirror, scoped }: RunShape,
): { mode: Mode; match: MatchBy; via: Via; compare: CompareWith | 'auto'; verify: boolean } {
  const refuse = (name: string, message: string) => new ConfigError(message, codeOf(name));
  /** A setting with no effect here: refused from the command line, dropped from a config file's sync. */
  const noEffect = (name: string, message: string): void => {
    const given = s.given(name);
    if (!given) return;
    if (given.origin !== 'sync') throw refuse(name, message);
    s.drop(name);
  };

  const mode = s.get<Mode>('mode') ?? (spec.kind === 'append' ? 'insert' : 'upsert');
  if (!MODE_NAMES.includes(mode)) throw refuse('mode', `--mode "${mode}" is not known: use ${MODE_NAMES.join(', ')}`);
  if (spec.kind === 'append' && mode === 'update') {
    throw refuse(
      'mode',
      `--mode update is not possible for ${pluralOf(spec)}: they are only ever created (POST). Use --mode insert, or upsert, which means create here (a row with a known externalId updates its record)`,
    );
  }
  const match = s.get<MatchBy>('match') ?? 'externalId';
  if (match === 'email' && !spec.matchByEmail) throw refuse('match', `--match email is for ${plurals((o) => o.matchByEmail === true)} only`);
  if (match === 'email' && mode === 'insert') throw refuse('match', '--match email finds existing users: use it with --mode upsert or update');

  const readerGiven = Object.fromEntries(readerSettings().map((r) => [r.name, s.get(r.name)]));
  for (const f of foreignSettings(reader, readerGiven)) noEffect(f.name, f.message);

  // The transport: events go through the Analytics API only; others choose (--via).
  const asked = s.get<Via>('via');
  const via: Via = spec.transport === 'analytics' ? 'analytics' : (asked ?? 'rest');
  if (spec.transport === 'analytics' && asked === 'rest') throw refuse('via', `${pluralOf(spec)} go through the Analytics API only: drop --via rest`);
  const kind = TRANSPORTS[via];
  if (via === 'analytics' && spec.transport !== 'analytics') {
    if (!spec.analytics)
      throw refuse('via', `--via analytics is for ${plurals((o) => o.analytics !== undefined && o.transport !== 'analytics')}, not ${pluralOf(spec)}`);
    if (!kind.modes.includes(mode)) {
      throw refuse('via', `--via analytics only upserts (Vitally's Analytics API creates or updates); --mode ${mode} needs the REST API (--via rest)`);
    }
    if (match === 'email') throw refuse('match', '--match email needs the REST API (--via rest)');
  }
  if (s.get('unlinkRemoved') && !(via === 'analytics' && spec.analytics?.links)) {
    throw refuse('unlinkRemoved', `--unlink-removed is for ${plurals((o) => o.analytics?.links !== undefined)} sent with --via analytics`);
  }
  if (via !== 'rest' || linkFields(spec).length === 0) {
    noEffect('links', `--links is for ${plurals((o) => linkFields(o).length > 0)} sent through the REST API: it says what a PUT does with their links`);
  }
  if (via !== 'analytics') {
    noEffect('batchSize', '--batch-size is for the Analytics API (--via analytics, or --object event): a REST request carries one record');
  }

  // The state store, and what needs it.
  if (s.get('deleteMissing')) {
    if (spec.kind !== 'keyed')
      throw refuse('deleteMissing', `--delete-missing is for ${pluralList((o) => o.kind === 'keyed')}: ${pluralOf(spec)} are never deleted`);
    if (statePath === null)
      throw refuse('deleteMissing', '--delete-missing needs the state store (it knows which records came from this source): drop --no-state');
    if (via === 'analytics')
      throw refuse('deleteMissing', '--delete-missing deletes through the REST API and mirrors what was sent through it: run it without --via analytics');
    if (noMirror) throw refuse('deleteMissing', noMirror);
    if (input === '-' && !scoped)
      throw refuse(
        'deleteMissing',
        '--delete-missing on stdin needs --scope <name>: records are matched to the source they were synced from, and stdin has no name',
      );
  }
  if (s.get('unlinkRemoved') && statePath === null) {
    throw refuse('unlinkRemoved', '--unlink-removed needs the state store (it knows which links were sent before): drop --no-state');
  }
  if (!s.get('deleteMissing')) noEffect('maxDeletes', '--max-deletes bounds --delete-missing: add --delete-missing, or drop it');
  if (!s.get('deleteMissing')) noEffect('maxDeleteShare', '--max-delete-share bounds --delete-missing: add --delete-missing, or drop it');
  if (statePath === null) {
    noEffect(
      'full',
      '--full re-sends the rows the state store would skip; without a store (--no-state, or --sandbox without --state) every row is sent anyway: drop --full',
    );
  }
  const { compare, verify } = checkCompare(s, { spec, match, via, statePath, refuse, noEffect });
  return { mode, match, via, compare, verify };
}

/** --compare and --verify: what they can read in Vitally, and what they need. */
function checkCompare(
  s: Settings,
  c: {
    spec: ObjectSpec;
    match: MatchBy;
    via: Via;
    statePath: string | null;
    refuse: (name: string, message: string) => ConfigError;
    noEffect: (name: string, message: string) => void;
  },
): { compare: CompareWith | 'auto'; verify: boolean } {
  const { spec, refuse } = c;
  const asked = s.get<CompareWith>('compare');
  const listable = plurals((o) => o.scan !== undefined);
  if (asked === 'vitally' && !spec.scan) throw refuse('compare', `--compare vitally is for ${listable} (Vitally lists them whole), not ${pluralOf(spec)}`);
  if (asked === 'vitally' && c.match === 'email') throw refuse('compare', '--compare vitally matches rows to records by externalId: drop --match email');
  if (asked === 'state' && c.statePath === null) throw refuse('compare', '--compare state needs the state store: drop --no-state, or use --compare vitally');
  if (s.get('full') && (asked === 'state' || asked === 'vitally')) throw refuse('compare', `--full sends every row: drop --compare ${asked}`);
  const verify = Boolean(s.get('verify'));
  if (verify && !(c.via === 'analytics' && spec.scan)) {
    throw refuse(
      'verify',
      c.via === 'analytics'
        ? `--verify reads the records back from Vitally: it is for ${listable}, not ${pluralOf(spec)}`
        : '--verify is for --via analytics: a REST answer already confirms its record',
    );
  }
  if (verify && s.get('dryRun')) c.noEffect('verify', '--verify looks for the rows a run sent: a dry run sends none');
  if (!verify) c.noEffect('verifyTimeout', '--verify-timeout bounds --verify: add --verify, or drop it');
  return { compare: asked ?? (s.get('full') ? 'none' : 'auto'), verify: verify && !s.get('dryRun') };
}

/**
 * The settings only some object types take (--event, --event-column, --timestamp-column): values set on
 * every row, and columns mapped to a field. Refused for the other object types.
 */
export function objectConstants(s: Settings, spec: ObjectSpec): { constants: Record<string, unknown>; columns: ColumnMapping[] } {
  const constants: Record<string, unknown> = {};
  const columns: ColumnMapping[] = [];
  const own = spec.settings ?? [];
  const others = objectsWhere((o) => o !== spec)
    .flatMap((o) => (o.settings ?? []).map((x) => ({ ...x, owner: o })))
    .filter((x) => !own.some((m) => m.flag === x.flag));
  const foreign = others.filter((x) => s.get(settingName(x.flag)) !== undefined);
  if (foreign.length > 0) {
    const owner = foreign[0]!.owner;
    const flags = (owner.settings ?? []).map((x) => x.flag);
    throw new ConfigError(`${andList(flags)} are for --object ${owner.name}`, codeOf(settingName(foreign[0]!.flag)));
  }
  for (const field of new Set(own.map((x) => x.field))) {
    const given = own.filter((x) => x.field === field && s.get(settingName(x.flag)) !== undefined);
    if (given.length > 1) {
      throw new ConfigError(
        `Give ${given.map((x) => `${x.flag} <${x.gives === 'value' ? 'name' : 'column'}>`).join(' or ')}, not both`,
        codeOf(settingName(given[0]!.flag)),
      );
    }
  }
  for (const x of own) {
    const v = s.get<string>(settingName(x.flag));
    if (v === undefined) continue;
    if (x.gives === 'value') constants[x.field] = v;
    else columns.push({ source: v, target: x.field });
  }
  return { constants, columns };
}

/** "--event-column" -> "eventColumn". */
const settingName = (flag: string): string => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
