/**
 * The transport seam. A transport carries planned rows to Vitally and says what became of each: REST
 * (one record a request, src/sync/rest.ts) and Analytics (messages packed into /batch requests,
 * src/analytics/transport.ts). The orchestrator (src/sync/run.ts) plans each row through the transport,
 * hands it over, and turns the outcome into the row's result; it never knows which transport runs.
 * The registry of transports is src/sync/transports.ts.
 */
import type { VitallySyncError } from '../errors.js';
import type { MappedRecord, Mode, ObjectSpec, Refs } from '../objects/index.js';
import type { MatchBy } from '../plan/plan.js';
import type { RunState } from '../state/run-state.js';
import type { IdCache, RowResult } from '../types.js';
import type { Sender } from '../vitally/sender.js';
import type { Outcome } from './outcome.js';

/** One row on its way, as the orchestrator hands it to its transport. */
export interface Carried<P> {
  key: string | null;
  refs: Refs;
  /** What the transport's plan() made of the row. */
  plan: P;
  /** An earlier run sent this row without learning the outcome (it was killed): look before creating. */
  inDoubt: boolean;
  /**
   * What the run's comparison saw of the record in Vitally before the row was sent (--compare vitally):
   * null when Vitally has no record with its key; undefined when it did not look.
   */
  found?: Found | null | undefined;
}

/** A record Vitally holds, as a listing of the workspace showed it. */
export interface Found {
  /** Its Vitally id (null when Vitally holds the key twice: the record is addressed by its key). */
  id: string | null;
  /** The Vitally ids of the accounts and organizations it is linked to (absent when not known). */
  links?: { accounts: string[]; organizations: string[] };
  /** The standard fields it already holds with the row's values (a PUT may leave out a `name` Vitally may refuse). */
  unchanged?: string[];
}

export interface Transport<P = unknown> {
  /** Plan one row, once: pure and synchronous; throws RowError when the row cannot travel this way. */
  plan(record: MappedRecord, refs: Refs): P;
  /** A row with this key and these references is in the input (told of unchanged rows too). */
  read?(key: string, refs: Refs): void;
  /** Send a planned row and give its outcome; on a dry run, say what would be sent (`requests`). */
  carry(row: Carried<P>): Outcome | Promise<Outcome>;
  /** The run is about to wait for a row, or every row was handed over: send what is held back. */
  flush(): void;
  /** Work asked for after the last row (--delete-missing, --unlink-removed), in order. */
  followUps: FollowUp[];
}

/** Work after the last row that needs the state store and an input read whole. */
export interface FollowUp {
  /** The flag that asks for it, for messages: "--unlink-removed". */
  flag: string;
  /** Why it needs the state store: "it knows which links were sent". */
  needs: string;
  /** What is not done when it cannot run: "nothing was unlinked". */
  nothing: string;
  /**
   * Start it: one result (a promise) per record it touches, or an error that stops the run instead.
   * `warn` puts a line in the summary's warnings (why nothing could be done, say).
   */
  start(state: RunState, warn: (message: string) => void): Array<Promise<RowResult>> | VitallySyncError;
}

/** The limits of one run's deletions: how many records, and what share (percent) of those synced from the input. */
export interface DeleteLimits {
  max: number;
  maxShare: number;
}

/** What a transport is made with, for one run. */
export interface TransportContext {
  spec: ObjectSpec;
  mode: Mode;
  match: MatchBy;
  /** Absent on a dry run: nothing is sent. */
  sender?: Sender | undefined;
  state?: RunState | undefined;
  /** Vitally ids known for the customer's ids: the state store's, and those the run's comparison found. */
  ids?: IdCache | undefined;
  /** The run's id, part of the messageIds of Analytics object messages. */
  runId: string;
  /** Messages per Analytics batch. */
  batchSize: number;
  /** The input may pause for a while (stdin): rows must not wait in a batch that is still filling. */
  inputMayPause: boolean;
  /** --delete-missing: its --max-deletes and --max-delete-share (a percent). */
  deleteMissing?: DeleteLimits | undefined;
  unlinkRemoved?: boolean | undefined;
  /** A user PUT's links: added to those the user has (default), or replacing them. */
  links?: 'add' | 'replace' | undefined;
  /** An Analytics API token is configured (what a row's note may advise, e.g. to rename an account). */
  analyticsToken?: boolean | undefined;
  /** Called with an error that must stop the run (a refused token, a blocked message type). */
  onFatal(err: VitallySyncError): void;
}

/** A transport as the registry lists it: its name, what it needs, and how a run makes one. */
export interface TransportKind {
  name: 'rest' | 'analytics';
  /** Which of Vitally's APIs it speaks: the connection (host and token) it needs. */
  api: 'rest' | 'analytics';
  /** The modes it can carry out. */
  modes: readonly Mode[];
  /** Rows on their way at once (a row settled at once does not count), which bounds memory (src/sync/ordered.ts). */
  window(o: { concurrency: number; batchSize: number }): number;
  create(ctx: TransportContext): Transport;
}
