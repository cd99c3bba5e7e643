/** The sender that reads Vitally's records for the comparison (a listing of the workspace) and --verify. */
import type { PushConfig } from '../config/push.js';
import type { Connection } from '../types.js';
import type { Sender } from '../vitally/sender.js';

/**
 * The transport's own sender when it speaks REST (one pacer for all), else one of its own; none when
 * nothing may be read (a comparison that reads nothing, a dry run not comparing with Vitally, no REST
 * connection).
 */
export function listerFor(
  cfg: PushConfig,
  rest: Connection | undefined,
  transport: Sender | undefined,
  via: 'rest' | 'analytics',
  make: (c: Connection) => Sender,
): Sender | undefined {
  const may = cfg.compare === 'vitally' || cfg.verify !== undefined || (cfg.compare === 'auto' && !cfg.dryRun && cfg.spec.scan !== undefined);
  if (!may || !rest) return undefined;
  return via === 'rest' && transport ? transport : make(rest);
}
