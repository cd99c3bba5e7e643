/**
 * What `push` (and `diff`) say around the comparison: progress lines on stderr while the workspace is
 * listed and while --verify waits (JSON notices with --json).
 */
import type { PushConfig } from '../config/push.js';
import type { VerifyProgress } from '../sync/compare/index.js';
import { pluralOf } from '../objects/index.js';
import type { CliIO } from './io.js';
import { say } from './report.js';

const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`);

/** Lines on stderr while the workspace is listed (every 5 s at most) and after each check of --verify; none with --quiet. */
export function compareProgress(io: CliIO, cfg: PushConfig): { onListing?: (listed: number) => void; onVerify?: (p: VerifyProgress) => void } {
  if (cfg.quiet) return {};
  const plural = pluralOf(cfg.spec);
  let last = Date.now();
  return {
    onListing: (listed) => {
      if (Date.now() - last < 5000) return;
      last = Date.now();
      say(io, cfg.json, 'notice', `Listing ${plural} in Vitally to compare the rows with: ${count(listed)} so far`, cfg.sync);
    },
    onVerify: (p) => {
      const next = p.nextInMs === null ? 'done looking' : `checking again in ${seconds(p.nextInMs)} (${seconds(p.leftMs)} left)`;
      say(io, cfg.json, 'notice', `Verifying: ${count(p.landed)} rows found in Vitally, ${count(p.waiting)} not yet; ${next}`, cfg.sync);
    },
  };
}
