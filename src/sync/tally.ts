/** Counting results into the run's summary. */
import type { RowResult, Summary } from '../types.js';
import type { SendStats } from '../vitally/sender.js';

export class Tally {
  private readonly started = Date.now();
  private readonly s: Omit<Summary, 'durationMs' | 'rowsPerSecond' | 'interrupted' | 'requests' | 'retries' | 'rateLimited'> = {
    rows: 0,
    ok: 0,
    accepted: 0,
    skipped: 0,
    failed: 0,
    byAction: {},
  };
  /** The input could not be read to its end. */
  readError = false;
  private readonly warnings: string[] = [];
  private readonly notes: string[] = [];

  warn(message: string): void {
    this.warnings.push(message);
  }

  /** How the input was read (said once each). */
  note(message: string): void {
    if (!this.notes.includes(message)) this.notes.push(message);
  }

  constructor(private readonly stats: () => SendStats | undefined) {}

  /** Results counted so far (input rows, and deletions and unlinks, which are reported with row 0). */
  get rowsRead(): number {
    return this.s.rows;
  }

  add(r: RowResult): RowResult {
    this.s.rows++;
    this.s[r.status]++;
    this.s.byAction[r.action] = (this.s.byAction[r.action] ?? 0) + 1;
    return r;
  }

  /**
   * --verify: `landed` rows the Analytics API accepted were found in Vitally (now ok, confirmed), and the
   * `notLanded` results are the second result of rows that were not (now failed). Neither adds a row.
   */
  verified(landed: number, notLanded: RowResult[]): void {
    const moved = landed + notLanded.length;
    this.s.accepted -= moved;
    this.s.ok += landed;
    this.s.failed += notLanded.length;
    const by = this.s.byAction;
    by.accepted = (by.accepted ?? 0) - moved;
    if (by.accepted <= 0) delete by.accepted;
    if (landed > 0) by.verified = (by.verified ?? 0) + landed;
    if (notLanded.length > 0) by.not_landed = (by.not_landed ?? 0) + notLanded.length;
  }

  summary(interrupted: boolean): Summary {
    const durationMs = Date.now() - this.started;
    const st = this.stats();
    return {
      ...this.s,
      byAction: { ...this.s.byAction },
      requests: st?.requests ?? 0,
      retries: st?.retries ?? 0,
      rateLimited: st?.rateLimited ?? 0,
      durationMs,
      rowsPerSecond: durationMs > 0 ? Math.round((this.s.rows / durationMs) * 1000 * 10) / 10 : this.s.rows,
      interrupted,
      ...(this.warnings.length > 0 || this.s.accepted > 0 ? { warnings: [...this.warnings, ...acceptedNote(this.s.accepted)] } : {}),
      ...(this.notes.length > 0 ? { notes: [...this.notes] } : {}),
    };
  }
}

/** The summary's word on rows only accepted: what `accepted` means, once per run. */
function acceptedNote(n: number): string[] {
  if (n === 0) return [];
  return [
    `${n} ${n === 1 ? 'row was' : 'rows were'} accepted, not confirmed: the Analytics API answers "Success." for a whole request and nothing per message, and Vitally may still drop a message (an unknown account, a bad value) without saying so. The state store keeps them as accepted, apart from confirmed rows`,
  ];
}

/** The requests of several senders together (the transport's, and the comparison's reads when apart). */
export function sumStats(...all: Array<SendStats | undefined>): SendStats | undefined {
  const given = all.filter((s): s is SendStats => s !== undefined);
  if (given.length === 0) return undefined;
  return {
    requests: given.reduce((n, s) => n + s.requests, 0),
    retries: given.reduce((n, s) => n + s.retries, 0),
    rateLimited: given.reduce((n, s) => n + s.rateLimited, 0),
  };
}
