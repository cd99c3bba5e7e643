// A trace of the pacer's in-flight count against time, to show how it adapts: the sender built as
// `push` builds it (createSender, default flags) creates accounts in a sandbox whose latency changes
// during the run, fed by as many row tasks as the run's ordered window holds at the default ceiling.
//
// `node bench/inflight-trace.js` prints the trace (one line per 500 ms); `npm run bench` runs it as the
// case `inflight-trace` and keeps the summary.
import { createSender } from '../dist/api/sender.js';
import { resolveNet } from '../dist/config/net.js';
import { createSandbox } from '../dist/sandbox/index.js';

/** The sandbox's latency over time: [from ms, latency ms]. */
export const SCHEDULE = [
  [0, 100],
  [8_000, 800],
  [20_000, 300],
];
const END_MS = 30_000;
const WINDOW = { limit: 100, windowMs: 6_000 };

export async function trace({ print = false } = {}) {
  const sb = await createSandbox({ rateLimit: WINDOW, latencyMs: SCHEDULE[0][1], recordRequests: false });
  const net = resolveNet({});
  const sender = createSender({ net }, { baseUrl: sb.url, token: sb.token, tokenSource: 'the sandbox token' });
  const t0 = performance.now();
  const at = () => performance.now() - t0;
  const lines = [];
  let next = 0;
  let stopped = false;
  let accepted = 0;
  const timers = SCHEDULE.slice(1).map(([from, ms]) => setTimeout(() => (sb.options.latencyMs = ms), from));
  const sample = setInterval(() => {
    const p = sender.pacer;
    lines.push({ t: at(), latency: sb.options.latencyMs, inFlight: p.inFlight, limit: p.limit, accepted, limited: sb.stats.rateLimited });
  }, 500);
  const worker = async () => {
    while (!stopped) {
      const i = next++;
      try {
        await sender.send({ method: 'POST', path: '/resources/accounts', body: JSON.stringify({ externalId: `t-${i}`, name: `T ${i}` }) });
        accepted++;
      } catch {
        // counted by the sandbox
      }
    }
  };
  const workers = Array.from({ length: Math.max(64, net.concurrency * 16) }, worker);
  await new Promise((r) => setTimeout(r, END_MS));
  stopped = true;
  sender.pacer.close();
  await Promise.allSettled(workers);
  clearInterval(sample);
  timers.forEach(clearTimeout);
  await sender.http.close();
  await sb.close();
  if (print)
    for (const l of lines)
      console.log(
        `${(l.t / 1000).toFixed(1).padStart(5)} s  latency ${String(l.latency).padStart(3)} ms  in flight ${String(l.inFlight).padStart(2)}  limit ${String(l.limit).padStart(2)}  accepted ${l.accepted}  429s ${l.limited}`,
      );
  return { lines, accepted, limited: sb.stats.rateLimited, requests: sb.stats.requests };
}

export const traceCases = [
  {
    name: 'inflight-trace',
    group: 'trace',
    title: `the sender at the default ceiling, latency ${SCHEDULE.map(([from, ms]) => `${ms} ms from ${from / 1000} s`).join(', ')}`,
    async run() {
      const r = await trace();
      const phase = (from, to) => {
        const ls = r.lines.filter((l) => l.t >= from && l.t < to);
        return `${Math.min(...ls.map((l) => l.inFlight))}-${Math.max(...ls.map((l) => l.inFlight))}`;
      };
      return {
        window: `${WINDOW.limit}/${WINDOW.windowMs / 1000} s`,
        accepted: r.accepted,
        used: `${((r.accepted / ((WINDOW.limit * END_MS) / WINDOW.windowMs)) * 100).toFixed(1)}%`,
        '429s': r.limited,
        at100: phase(2_000, 8_000),
        at800: phase(12_000, 20_000),
        at300: phase(24_000, 30_000),
      };
    },
  },
];

if (import.meta.url === `file://${process.argv[1]}`) await trace({ print: true });
