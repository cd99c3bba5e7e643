/**
 * Whether to colour what goes to a stream, by the conventions of https://no-color.org and
 * https://force-color.org, as Node itself reads them: FORCE_COLOR set (and not 0 or false) colours even
 * off a terminal and wins over NO_COLOR; FORCE_COLOR=0 or false turns colours off; NO_COLOR set (and not
 * empty) turns them off; otherwise a terminal is coloured unless TERM=dumb.
 */
import type { Env } from '../config/connection.js';
import type { Out } from './io.js';

export function colorWanted(out: Out, env: Env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return false;
    return true;
  }
  if (env.NO_COLOR) return false;
  return out.isTTY === true && env.TERM !== 'dumb';
}
