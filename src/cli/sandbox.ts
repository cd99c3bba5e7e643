/** `vitally-sync sandbox`: serve the local Vitally-compatible API until Ctrl-C. */
import { intFlag, shareFlag } from '../config/numbers.js';
import { createSandbox } from '../sandbox/index.js';
import { sandboxCatalogue } from '../schema/catalogue.js';
import type { CliIO } from './io.js';

export async function sandboxCommand(opts: Record<string, string | undefined>, io: CliIO): Promise<number> {
  const limit = intFlag(opts.limit, '--limit', 1000, 1, 1_000_000);
  const windowS = intFlag(opts.window, '--window', 60, 1, 3600);
  const sb = await createSandbox({
    port: intFlag(opts.port, '--port', 0, 0, 65535),
    ...(opts.token ? { token: opts.token } : {}),
    rateLimit: { limit, windowMs: windowS * 1000 },
    latencyMs: intFlag(opts.latency, '--latency', 0, 0, 60_000),
    failRate: shareFlag(opts.failRate, '--fail-rate', 0),
    dropRate: shareFlag(opts.dropRate, '--drop-rate', 0),
    seed: intFlag(opts.seed, '--seed', 1, 0, 2 ** 31),
    recordRequests: false,
    ...sandboxCatalogue(opts.customFields),
  });
  io.stdout.write(
    [
      `Vitally sandbox listening on ${sb.url} (rate limit ${limit} requests per ${windowS} s)`,
      `REST token: ${sb.token}`,
      `Analytics token: ${sb.analyticsToken}`,
      '',
      'In another shell:',
      `  export VITALLY_BASE_URL=${sb.url} VITALLY_API_TOKEN=${sb.token} VITALLY_ANALYTICS_TOKEN=${sb.analyticsToken}`,
      '  vitally-sync push fixtures/accounts.csv --object account',
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sb.close();
  return 0;
}
