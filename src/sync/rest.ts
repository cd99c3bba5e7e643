/**
 * The REST transport: one record a request. A row's references are resolved to Vitally ids (resolve.ts),
 * its requests built with them, and its plan carried out (execute.ts). A record of a type that may exist
 * already (spec.existing: a conversation) is first looked for, by the state store's id for its key, else
 * like a reference of its kind; what is created or found is remembered for later rows and runs. A 403
 * on a feature's path is weighed by the run's FeatureGate (access.ts): a bad token stops the run, a
 * missing feature fails only the rows that need it. After the last row it mirrors deletions
 * (--delete-missing, mirror.ts).
 */
import { ForbiddenError, RowError, stopsRun, type VitallySyncError } from '../errors.js';
import { disagreeingRef, nounOf, type MappedRecord, type Refs } from '../objects/index.js';
import { checkRow, FOUND_ID, plannedRequests, type CheckedRow, type RowPlan } from '../plan/plan.js';
import { placeholder, type IdFor } from '../plan/refs.js';
import { failed, planned, type Outcome } from '../transport/outcome.js';
import type { Carried, FollowUp, Found, Transport, TransportContext, TransportKind } from '../transport/transport.js';
import type { Sender } from '../vitally/sender.js';
import { FeatureGate } from './access.js';
import { execute, notFound } from './execute.js';
import { LinkMerger } from './links.js';
import { deletions } from './mirror.js';
import { NamePolicy } from './rename.js';
import { Resolver } from './resolve.js';

export const restTransport: TransportKind = {
  name: 'rest',
  api: 'rest',
  modes: ['insert', 'upsert', 'update'],
  // Enough rows to keep every connection busy while a slow answer holds the head of the window.
  window: ({ concurrency }) => Math.max(64, concurrency * 16),
  create: (ctx) => new RestTransport(ctx),
};

/** What a run learns as it goes, and what execute() is told of it. */
interface RunKnowledge {
  resolver: Resolver;
  gate: FeatureGate;
  names: NamePolicy | undefined;
  links: LinkMerger;
}

/** A checked row, and whether the ids its references find agree with those it gives directly. */
interface RestRow extends CheckedRow {
  disagreement(idFor: IdFor): RowError | null;
}

class RestTransport implements Transport<RestRow> {
  private readonly run: RunKnowledge | undefined;
  readonly followUps: FollowUp[];

  constructor(private readonly ctx: TransportContext) {
    const { sender, spec } = ctx;
    this.run = sender && {
      // The state store keeps the ids found across runs; the run's comparison shares what it found.
      resolver: new Resolver(sender, ctx.ids ?? ctx.state),
      gate: new FeatureGate(sender),
      // Keyed records whose name a PUT may carry: Vitally may refuse it.
      names:
        spec.kind === 'keyed' && spec.fields.name && spec.fields.name.update !== false ? new NamePolicy(nounOf(spec), Boolean(ctx.analyticsToken)) : undefined,
      links: new LinkMerger(spec, ctx.links ?? 'add', sender, ctx.state),
    };
    this.followUps = ctx.deleteMissing ? [deletions(ctx, ctx.deleteMissing)] : [];
  }

  plan(record: MappedRecord, refs: Refs): RestRow {
    const { spec } = this.ctx;
    const row = checkRow(spec, this.ctx.mode, record, refs, this.ctx.match);
    return { key: row.key, requests: row.requests, disagreement: (idFor) => disagreeingRef(spec, record, refs, idFor) };
  }

  carry(row: Carried<RestRow>): Outcome | Promise<Outcome> {
    const sender = this.ctx.sender;
    // A dry run shows what the state store knows (a conversation sent before gets its message appended),
    // and what a listing of the workspace showed (a record it lacks is created at once).
    if (!sender) {
      const plan = row.plan.requests(placeholder, this.knownId(row.key));
      if (row.found === null && plan.firstPhase === 'update') {
        // Vitally lacks the record: the row is created, or fails as a real run would, sending nothing.
        if (!plan.create) return notFound(this.ctx.spec, plan, null);
        if (plan.create instanceof RowError) return failed(plan.create, 'invalid');
      }
      return planned(plannedRequests(listedPlan(plan, row.found)));
    }
    return this.send(row, sender);
  }

  /** The Vitally id the state store holds for a record that may exist already (spec.existing). */
  private knownId(key: string | null): string | undefined {
    const existing = this.ctx.spec.existing;
    if (!existing || key === null) return undefined;
    return this.ctx.state?.lastSent(key)?.vitallyId ?? this.ctx.state?.get(existing.ref, key) ?? undefined;
  }

  private async send(row: Carried<RestRow>, sender: Sender): Promise<Outcome> {
    const run = this.run!;
    const { spec } = this.ctx;
    // A feature this row needs was found off earlier in the run: not sent.
    const { blocked, first } = await run.gate.admit(spec, row.refs);
    if (blocked) return { ...failed(blocked), httpStatus: 403 };
    try {
      const ids = await run.resolver.idsFor(spec, row.refs);
      if (ids instanceof RowError) return failed(ids, 'invalid');
      const disagreement = row.plan.disagreement(ids);
      if (disagreement) return failed(disagreement, 'invalid');
      const existing = spec.existing && row.key !== null ? (this.knownId(row.key) ?? (await run.resolver.resolve(spec.existing.ref, row.key))) : null;
      const outcome = await execute(sender, spec, row.plan.requests(ids, existing ?? undefined), {
        verifyFirst: row.inDoubt,
        names: run.names,
        links: run.links,
        absent: row.found === null,
        found: row.found ?? undefined,
      });
      if (spec.existing && row.key !== null && outcome.status === 'ok' && outcome.id) run.resolver.remember(spec.existing.ref, row.key, outcome.id);
      return outcome;
    } catch (thrown) {
      let err: unknown = thrown;
      let status: number | null = null;
      if (err instanceof ForbiddenError) {
        err = await run.gate.judge(err);
        status = 403;
      }
      if (stopsRun(err)) this.ctx.onFatal(err as VitallySyncError);
      const o = failed(err);
      return status !== null ? { ...o, httpStatus: status } : o;
    } finally {
      run.gate.settle(first);
    }
  }

  flush(): void {}
}

/**
 * The requests a dry run shows once a listing was read: a record Vitally lacks is created at once (or,
 * in update mode, not found: nothing is sent); one it holds is updated, by its id where a search would
 * have found it.
 */
function listedPlan(plan: RowPlan, found: Found | null | undefined): RowPlan {
  if (found === undefined || plan.firstPhase === 'create') return plan;
  if (found === null) return plan.create && !(plan.create instanceof RowError) ? { key: plan.key, first: plan.create, firstPhase: 'create' } : plan;
  if (!plan.lookup || found.id === null || plan.lookingFor?.field === 'email') return { ...plan, create: undefined };
  return { key: plan.key, first: { ...plan.first, path: plan.first.path.replace(FOUND_ID, encodeURIComponent(found.id)) }, firstPhase: 'update' };
}
