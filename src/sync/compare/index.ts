/**
 * The run's comparison, chosen and started once the input's first rows are read: the registry of
 * comparisons (COMPARISONS), the choice a run makes when none is given (chooseComparison), the scratch
 * space a listing and --verify keep their records in, and the Verifier. runSync holds one CompareStage.
 */
import { ApiError, ConfigError, NetworkError, ServerFailingError, UnconfirmedError } from '../../errors.js';
import { pluralOf, type Mode, type ObjectSpec } from '../../objects/index.js';
import type { MatchBy } from '../../plan/plan.js';
import type { RunState } from '../../state/run-state.js';
import { openScratch, type Scratch } from '../../state/scratch.js';
import type { CompareSummary, RowResult, VerifySummary } from '../../types.js';
import type { Sender } from '../../vitally/sender.js';
import { Resolver, type KnownIds } from '../resolve.js';
import {
  AUTO_MIN_ROWS,
  AUTO_RECORDS_PER_ROW,
  chooseComparison,
  type AutoFacts,
  noComparison,
  stateComparison,
  stateComparisonVerified,
  type CompareWith,
  type Comparison,
} from './comparison.js';
import { Expectations } from './expected.js';
import { Verifier, type VerifyOptions, type VerifyProgress } from './verify.js';
import { listWorkspace, VitallyComparison, type ListContext } from './vitally.js';

export { COMPARE_NAMES, type CompareWith, type Comparison, type Verdict } from './comparison.js';
export { DEFAULT_VERIFY, type VerifyOptions, type VerifyProgress } from './verify.js';

export interface CompareSettings {
  /** A comparison, or auto: the run chooses (chooseComparison). */
  compare: CompareWith | 'auto';
  /** --verify (rows sent through the Analytics API): how long to look for them. */
  verify?: VerifyOptions | undefined;
}

export interface StageSetup {
  spec: ObjectSpec;
  mode: Mode;
  match: MatchBy;
  dryRun: boolean;
  /** How a write treats a user's links: the REST transport's --links; the Analytics API only adds. */
  links: 'add' | 'replace';
  state?: RunState | undefined;
  /** Reads from Vitally's REST API (the listing, look-ups, --verify's checks). */
  lister?: Sender | undefined;
  ids: KnownIds;
  /** Records read ahead, whether that was the whole input, and the reader's estimate of its records. */
  readAhead: number;
  inputEnded: boolean;
  inputSize: number | null;
  signal?: AbortSignal | undefined;
  onListing?: ((listed: number) => void) | undefined;
  onVerify?: ((p: VerifyProgress) => void) | undefined;
  /** A warning for the summary (a listing the run chose and could not keep). */
  warn?: ((message: string) => void) | undefined;
}

type Started = Comparison | { gaveUp: number };

/**
 * A read before the first row (the listing, --verify's first look) that failed after its retries (429,
 * 5xx, no answer, an answer that confirms nothing): the server's failure, not the user's, and no row's.
 * The run stops as with a server that kept failing (exit 69), saying nothing was sent.
 */
function readFailed(err: unknown, spec: ObjectSpec): unknown {
  const server = err instanceof NetworkError || err instanceof UnconfirmedError || (err instanceof ApiError && err.retryable);
  if (!server) return err;
  // An unconfirmed answer's message speaks of a row in doubt: a read has none.
  const what = err.message.replace(/: not taken as done; the row stays in doubt for the next run$/, '');
  return new ServerFailingError(
    `Listing ${pluralOf(spec)} in Vitally failed: ${what}. The run stopped before any row: nothing was sent. Try again later (vitally-sync doctor checks the connection)`,
  );
}

/** What a run's own choice of comparison depends on (chooseComparison). */
function autoFacts(s: Pick<StageSetup, 'spec' | 'match' | 'mode' | 'dryRun' | 'lister' | 'state'>, readAhead: number, inputEnded: boolean): AutoFacts {
  return {
    listable: s.spec.scan !== undefined && s.match === 'externalId' && s.mode !== 'insert',
    canRead: s.lister !== undefined && !s.dryRun,
    store: s.state ? (s.state.knowsAny() ? 'knows' : 'empty') : 'none',
    readAhead,
    inputEnded,
  };
}

/** The comparisons by name: each starts for a run (a listing of the workspace is read here). */
const COMPARISONS: Record<CompareWith, (l: ListContext) => Promise<Started>> = {
  state: () => Promise.resolve(stateComparison),
  vitally: (l) => listWorkspace(l),
  none: () => Promise.resolve(noComparison),
};

export class CompareStage {
  private constructor(
    readonly comparison: Comparison,
    private readonly chosen: string,
    private readonly scratch: Scratch | undefined,
    /** --verify's, when asked (and there is a REST connection to read with). */
    readonly verifier: Verifier | undefined,
  ) {}

  /**
   * The records to read ahead before the comparison starts: enough to tell whether a listing is worth it
   * when the run may choose one (AUTO_MIN_ROWS), the first batch before a listing given (an unreadable
   * input then costs no request), else none.
   */
  static readAhead(settings: CompareSettings, s: Pick<StageSetup, 'spec' | 'match' | 'mode' | 'dryRun' | 'lister' | 'state'>): number {
    if (settings.compare === 'vitally') return 1;
    if (settings.compare !== 'auto') return 0;
    const facts = autoFacts(s, 0, false);
    return facts.listable && facts.canRead && facts.store !== 'knows' ? AUTO_MIN_ROWS : 0;
  }

  static async start(settings: CompareSettings, s: StageSetup): Promise<CompareStage> {
    const auto = settings.compare === 'auto';
    const facts = autoFacts(s, s.readAhead, s.inputEnded);
    const store = facts.store;
    let choice = auto ? chooseComparison(facts) : { with: settings.compare as CompareWith, why: 'given' };
    if (choice.with === 'vitally' && !s.lister)
      throw new ConfigError('--compare vitally reads the workspace through the REST API: it needs the REST token (VITALLY_API_TOKEN or --token-file)');
    const verify = settings.verify && s.lister && !s.dryRun ? settings.verify : undefined;
    let scratch: Scratch | undefined;
    if (choice.with === 'vitally' || verify) {
      const opened = openScratch();
      if (!('cannot' in opened)) scratch = opened;
      // A listing the run chose is left out; one asked for stops the run before anything is sent.
      else if (auto && !verify) {
        choice = { with: store === 'none' ? 'none' : 'state', why: `${choice.why}, but a listing could not be kept` };
        s.warn?.(`the rows were not compared with a listing of the workspace: ${opened.cannot}`);
      } else throw new ConfigError(opened.cannot);
    }
    const resolver = s.lister ? new Resolver(s.lister, s.ids) : undefined;
    try {
      let comparison: Comparison;
      let chosen = auto ? `chosen: ${choice.why}` : 'given';
      const rows = Math.max(s.inputSize ?? 0, s.readAhead);
      const started = await COMPARISONS[choice.with]({
        spec: s.spec,
        lister: s.lister!,
        scratch: scratch!,
        links: s.links,
        ids: s.ids,
        resolver: resolver!,
        changes: s.dryRun,
        budget: auto ? rows * AUTO_RECORDS_PER_ROW : undefined,
        signal: s.signal,
        onProgress: s.onListing,
      });
      if ('gaveUp' in started) {
        comparison = store === 'none' ? noComparison : stateComparison;
        chosen = `chosen: ${choice.why}, but Vitally holds more than ${started.gaveUp} of these records (over ${AUTO_RECORDS_PER_ROW} a row of the input): listing them would cost more than it saves, so the rows were sent without it`;
      } else comparison = started;
      // Asked to verify, a run does not skip a row whose landing nothing confirmed: it sends it and looks for it.
      if (verify && comparison === stateComparison) comparison = stateComparisonVerified;
      let verifier: Verifier | undefined;
      if (verify) {
        verifier = new Verifier({
          spec: s.spec,
          lister: s.lister!,
          scratch: scratch!,
          // The Analytics API adds a user's links, never removes them.
          expect: new Expectations(s.spec, 'add', s.ids, resolver),
          opts: verify,
          signal: s.signal,
          onProgress: s.onVerify,
        });
        await verifier.begin(comparison instanceof VitallyComparison ? comparison.newest : undefined);
      }
      return new CompareStage(comparison, chosen, scratch, verifier);
    } catch (err) {
      scratch?.close();
      throw readFailed(err, s.spec);
    }
  }

  /**
   * --verify after the last row, when asked: the rows not found (failed results) and what it found; or
   * nothing, with a warning, when the run was interrupted (the rows stay accepted, unconfirmed).
   */
  async verify(
    state: RunState | undefined,
    interrupted: boolean,
    warn: (message: string) => void,
  ): Promise<{ notLanded: RowResult[]; summary: VerifySummary } | undefined> {
    if (!this.verifier) return undefined;
    if (interrupted) {
      warn('--verify: the run was interrupted, so the rows accepted were not looked for in Vitally (they stay unconfirmed, and the next run sends them again)');
      return undefined;
    }
    return this.verifier.run(state);
  }

  summary(): CompareSummary {
    return { with: this.comparison.name, chosen: this.chosen, ...this.comparison.summary?.() };
  }

  close(): void {
    this.scratch?.close();
  }
}
