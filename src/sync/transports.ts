/**
 * The transport registry: every way rows can travel to Vitally, by name (--via). Adding a transport means
 * one file implementing Transport (src/transport/transport.ts) plus its entry here.
 */
import { analyticsTransport } from '../analytics/transport.js';
import type { TransportKind } from '../transport/transport.js';
import { restTransport } from './rest.js';

export type Via = 'rest' | 'analytics';

export const TRANSPORTS: Readonly<Record<Via, TransportKind>> = { rest: restTransport, analytics: analyticsTransport };

export const TRANSPORT_NAMES = Object.keys(TRANSPORTS) as Via[];

export function transportKind(via: Via): TransportKind {
  return TRANSPORTS[via];
}
