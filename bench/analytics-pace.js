// The Analytics path at real latency: how fast `push --object event` (batches of 100 messages to
// /analytics/v1/batch) goes with default flags, and what it costs in 429s.
//
// Vitally does not document the Analytics API's rate limit. Each case runs 20,000 events through a
// sandbox in this process whose answers come after a real added latency, either with no rate limit and
// no rate-limit headers (the pacer then goes by --rate, 1,000 requests a minute by default) or with a
// window of 100 requests per 6 s announced in RateLimit-* headers (1,000 a minute, as REST).
import { createSandbox } from '../dist/sandbox/index.js';
import { writeFileSync } from 'node:fs';
import { accountsFile, pct, peakHeld, push } from './allowance.js';

const EVENTS = 20_000;
const WINDOW = { limit: 100, windowMs: 6_000 };

function eventsFile() {
  const path = accountsFile(0, `events-${EVENTS}.csv`);
  const lines = ['userId,accountId,event,plan'];
  for (let i = 1; i <= EVENTS; i++) lines.push(`u-${i % 997},acc-${i % 101},bench_event_${i % 7},growth`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

function analyticsCase(latencyMs, limited) {
  return {
    name: `analytics-${limited ? 'window' : 'open'}-${latencyMs}ms`,
    group: 'analytics',
    title: `push --object event, default flags: ${EVENTS} events, ${limited ? `window ${WINDOW.limit}/${WINDOW.windowMs / 1000} s` : 'no rate-limit headers'}, latency ${latencyMs} ms`,
    async run() {
      const sb = await createSandbox({ latencyMs, analyticsRateLimit: limited ? WINDOW : null });
      try {
        const file = eventsFile();
        const r = await push({ VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken }, [
          file,
          '--object',
          'event',
          '--quiet',
        ]);
        const end = Date.now();
        const batches = sb.requests.filter((q) => q.api === 'analytics');
        const elapsed = end - batches[0].at;
        const accepted = batches.filter((q) => q.status === 200).length;
        // What 1,000 requests a minute allow in that time (the default --rate, or the window).
        const allowance = (1000 * elapsed) / 60_000;
        return {
          limit: limited ? `${WINDOW.limit}/${WINDOW.windowMs / 1000} s, headers` : 'none, no headers',
          latency: `${latencyMs} ms`,
          exit: r.code,
          events: r.summary.rows,
          accepted: r.summary.accepted + r.summary.ok,
          batches: batches.length,
          elapsed: `${(elapsed / 1000).toFixed(1)} s`,
          used: pct(accepted / allowance),
          '429s': sb.stats.rateLimited,
          peak: peakHeld(
            batches.map((q) => q.at),
            latencyMs,
          ),
          eventsPerS: Math.round(EVENTS / (elapsed / 1000)),
        };
      } finally {
        await sb.close();
      }
    },
  };
}

export const ANALYTICS_COLUMNS = [
  ['rate limit', 'limit'],
  ['latency', 'latency'],
  ['exit', 'exit'],
  ['events', 'events'],
  ['accepted', 'accepted'],
  ['batch requests', 'batches'],
  ['elapsed', 'elapsed'],
  ['of 1,000 requests a minute', 'used'],
  ['429s', '429s'],
  ['peak in flight', 'peak'],
  ['events/s', 'eventsPerS'],
];

export const analyticsCases = [0, 300, 800].flatMap((ms) => [analyticsCase(ms, false), analyticsCase(ms, true)]);
