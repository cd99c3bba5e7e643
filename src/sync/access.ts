/**
 * Features a workspace may lack (organizations, custom objects: src/vitally/features.ts), found out as a
 * run goes. A 403 on a feature's path (ForbiddenError) is weighed once, by trying the token on a path
 * every workspace answers (GET /resources/accounts?limit=1):
 * - refused there too: the token is bad after all; the AuthError stops the run (exit 3);
 * - accepted: the feature is off in this workspace. The row fails saying so, every later row that needs
 *   the feature fails at once without a request, and the rows that do not need it go on.
 * Until the first row that needs a feature has its answer, the other rows that need it wait, so that
 * no request goes to a feature the workspace turned out not to have.
 */
import { AuthError, ForbiddenError, RowError, stopsRun, type VitallySyncError } from '../errors.js';
import { lookupRequest, type ObjectSpec, type Refs } from '../objects/index.js';
import { featureOf, TOKEN_PROBE } from '../vitally/features.js';
import type { Sender } from '../vitally/sender.js';

/** The features a row needs: its object's own paths, and those of the records its references name. */
export function featuresNeeded(spec: ObjectSpec, refs: Refs): string[] {
  const out = new Set<string>();
  const own = featureOf(spec.path);
  if (own) out.add(own.name);
  for (const [column, values] of Object.entries(refs)) {
    const ref = spec.refs[column];
    if (!ref || values.length === 0) continue;
    const f = featureOf(lookupRequest(ref.object, values[0]!).path);
    if (f) out.add(f.name);
  }
  return [...out];
}

/** What the run knows of a feature: a first row is finding out (the others wait), it works, or it is off. */
type FeatureState = { finding: Promise<void>; found: () => void } | 'on' | { off: ForbiddenError };

export class FeatureGate {
  private readonly states = new Map<string, FeatureState>();
  /** The token probe's outcome: null when it was accepted, else its error. */
  private probe: Promise<unknown> | undefined;

  constructor(private readonly sender: Sender) {}

  /**
   * Admit a row: the first row that needs a feature goes at once and finds out whether the workspace has
   * it (the features it is first for are in `first`: hand them to `settle` when the row is done); later
   * rows that need the feature wait for that, so that none is sent once the workspace said no. A row
   * needing a feature found off gets its error instead (`blocked`), unsent.
   */
  async admit(spec: ObjectSpec, refs: Refs): Promise<{ blocked?: RowError; first: string[] }> {
    const first: string[] = [];
    for (const name of featuresNeeded(spec, refs)) {
      for (;;) {
        const st = this.states.get(name);
        if (st === undefined) {
          let found = () => {};
          const finding = new Promise<void>((resolve) => (found = resolve));
          this.states.set(name, { finding, found });
          first.push(name);
          break;
        }
        if (st === 'on') break;
        if ('off' in st) {
          this.settle(first);
          const told = st.off;
          return {
            first: [],
            blocked: new RowError(
              'API_FORBIDDEN',
              `not sent: ${told.why} (${told.method} ${told.path} answered 403 earlier in this run, while the token is accepted elsewhere)`,
            ),
          };
        }
        await st.finding;
      }
    }
    return { first };
  }

  /** The row that was first to need these features is done: unless one was found off, the others may go. */
  settle(features: string[]): void {
    for (const name of features) {
      const st = this.states.get(name);
      if (st === undefined || st === 'on' || 'off' in st) continue;
      this.states.set(name, 'on');
      st.found();
    }
  }

  /**
   * What a 403 on a feature's path means for the run: an AuthError (the token is refused everywhere: the
   * run must stop), or the row's error (the feature is off; the run goes on).
   */
  async judge(err: ForbiddenError): Promise<VitallySyncError> {
    this.probe ??= this.sender.send(TOKEN_PROBE).then(
      () => null,
      (e: unknown) => e,
    );
    const probed = await this.probe;
    if (probed instanceof AuthError || stopsRun(probed)) return probed as VitallySyncError;
    if (probed !== null) {
      // The probe itself failed (no answer, a 5xx): nothing is concluded, a later 403 asks again.
      this.probe = undefined;
      return err;
    }
    const st = this.states.get(err.feature);
    this.states.set(err.feature, { off: err });
    if (st && st !== 'on' && !('off' in st)) st.found();
    return new RowError('API_FORBIDDEN', `${err.message}; the token is accepted elsewhere, so the rows that need ${err.feature} fail and the others go on`);
  }
}
