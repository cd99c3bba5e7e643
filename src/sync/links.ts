/**
 * A user's links to accounts and organizations on a REST PUT. Vitally replaces the links with the
 * `accountIds` / `organizationIds` a PUT carries (production code sends old and new together), so a row
 * naming one account would silently unlink the user from every other one, links made by Segment or a
 * CRM included. So, by default (`--links add`), a PUT carries the links the user has (read from its
 * record, either shape) and the row's; `--links replace` makes the row the whole truth.
 *
 * The read costs one GET per user row that carries links. It is spared when the state store knows that
 * this tool already sent, and Vitally confirmed, every link the row names: the PUT then leaves the links
 * out and they stay as they are. With --match email the search that found the user already holds them.
 * After a success the links sent are kept in the store (`kept.links`, Vitally ids) for the next run.
 */
import type { ObjectSpec } from '../objects/index.js';
import { recordPath } from '../plan/plan.js';
import type { RunState } from '../state/run-state.js';
import type { PlannedRequest } from '../types.js';
import { confirmsLookup } from '../vitally/confirm.js';
import type { Sender } from '../vitally/sender.js';
import { readRecord, type VitallyRecord } from './records.js';
import { ApiError } from '../errors.js';

export type LinksPolicy = 'add' | 'replace';
export const LINKS_POLICIES: readonly LinksPolicy[] = ['add', 'replace'];

/** A link field of a request body, and the list of the normal record that holds the same links. */
interface LinkField {
  field: string;
  list: 'accounts' | 'organizations';
}

/** Links kept in the state store: Vitally ids by link field. */
export type KeptLinks = Record<string, string[]>;

/** The link fields of an object type: its references to many accounts or organizations (a user's). */
export function linkFields(spec: ObjectSpec): LinkField[] {
  const out: LinkField[] = [];
  for (const r of Object.values(spec.refs)) {
    if (!r.many) continue;
    if (r.object === 'account') out.push({ field: r.target, list: 'accounts' });
    if (r.object === 'organization') out.push({ field: r.target, list: 'organizations' });
  }
  return out;
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])];

export class LinkMerger {
  private readonly fields: LinkField[];

  constructor(
    private readonly spec: ObjectSpec,
    private readonly policy: LinksPolicy,
    private readonly sender: Sender,
    private readonly state: RunState | undefined,
  ) {
    this.fields = linkFields(spec);
  }

  /** The object type has links a PUT would replace. */
  get active(): boolean {
    return this.fields.length > 0;
  }

  /** The links a request's body carries, by field (only the fields it has). */
  private linksIn(req: PlannedRequest): KeptLinks {
    const out: KeptLinks = {};
    if (!req.body) return out;
    const body = JSON.parse(req.body) as Record<string, unknown>;
    for (const { field } of this.fields) if (Array.isArray(body[field])) out[field] = body[field] as string[];
    return out;
  }

  /** The links this tool sent for the user before, as the store keeps them (not with --full). */
  private before(key: string): KeptLinks | undefined {
    if (!this.state || this.state.full) return undefined;
    return this.state.kept(key)?.links as KeptLinks | undefined;
  }

  /**
   * The PUT to send for a user (`key`), and whether the user was read for it (a request of its own); or
   * null when reading the user showed it does not exist (the PUT would answer 404). `found` is the
   * user's record when it was already read; `listed`, the links a listing of the workspace showed it has
   * (--compare vitally): when they hold every link the row names, the PUT leaves them out, as when the
   * store knows it sent them.
   */
  async put(
    key: string,
    req: PlannedRequest,
    found?: VitallyRecord | null,
    listed?: { accounts: string[]; organizations: string[] },
  ): Promise<{ req: PlannedRequest; read: boolean } | null> {
    if (this.policy === 'replace' || !req.body) return { req, read: false };
    const row = this.linksIn(req);
    const fields = this.fields.filter((f) => row[f.field] !== undefined);
    if (fields.length === 0) return { req, read: false };
    const body = JSON.parse(req.body) as Record<string, unknown>;
    const before = this.before(key);
    const has = (f: LinkField, id: string) => before?.[f.field]?.includes(id) === true || listed?.[f.list].includes(id) === true;
    if (!found && (before || listed) && fields.every((f) => row[f.field]!.every((id) => has(f, id)))) {
      // Every link the row names was sent before, or is on the user: leaving them out leaves its links as they are.
      for (const f of fields) delete body[f.field];
      return { req: { ...req, body: JSON.stringify(body) }, read: false };
    }
    let record = found;
    if (!record) {
      try {
        const res = await this.sender.send({ method: 'GET', path: recordPath(this.spec, key) }, { confirm: confirmsLookup(this.spec.key, key) });
        record = readRecord(res.json);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    }
    for (const f of fields) {
      body[f.field] = union(
        (record?.[f.list] ?? []).map((l) => l.id),
        row[f.field]!,
      );
    }
    return { req: { ...req, body: JSON.stringify(body) }, read: !found };
  }

  /** What the store keeps once Vitally confirmed a write carrying the row's request `req`: the links sent. */
  kept(key: string, req: PlannedRequest): { links: KeptLinks } | undefined {
    if (!this.active) return undefined;
    const row = this.linksIn(req);
    if (Object.keys(row).length === 0) return undefined;
    const before = this.policy === 'add' ? (this.before(key) ?? {}) : {};
    const links: KeptLinks = { ...before };
    for (const [field, ids] of Object.entries(row)) links[field] = union(before[field] ?? [], ids);
    return { links };
  }
}
