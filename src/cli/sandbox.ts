/** `vitally-sync sandbox`: serve the local Vitally-compatible API until Ctrl-C. */
import { intFlag, shareFlag } from '../config/numbers.js';
import { ConfigError } from '../errors.js';
import { createSandbox, type SandboxOptions } from '../sandbox/index.js';
import { MESSAGE_TYPES } from '../sandbox/analytics.js';
import { sandboxCatalogue } from '../schema/catalogue.js';
import type { CliIO } from './io.js';

export interface SandboxFlags {
  port?: string;
  token?: string;
  limit?: string;
  window?: string;
  latency?: string;
  failRate?: string;
  dropRate?: string;
  seed?: string;
  customFields?: string;
  /** --block-analytics (repeatable): Analytics message types answered 400, as a workspace switch does. */
  blockAnalytics?: string[];
}

/** The command's flags as the sandbox's options, checked (a ConfigError names the bad flag). */
export function sandboxOptions(opts: SandboxFlags): SandboxOptions {
  const limit = intFlag(opts.limit, '--limit', 1000, 1, 1_000_000);
  const windowS = intFlag(opts.window, '--window', 60, 1, 3600);
  const blocked = opts.blockAnalytics ?? [];
  for (const type of blocked) {
    if (!(MESSAGE_TYPES as readonly string[]).includes(type)) {
      throw new ConfigError(`--block-analytics "${type}" must be one of ${MESSAGE_TYPES.join(', ')}`);
    }
  }
  return {
    port: intFlag(opts.port, '--port', 0, 0, 65535),
    ...(opts.token ? { token: opts.token } : {}),
    rateLimit: { limit, windowMs: windowS * 1000 },
    latencyMs: intFlag(opts.latency, '--latency', 0, 0, 60_000),
    failRate: shareFlag(opts.failRate, '--fail-rate', 0),
    dropRate: shareFlag(opts.dropRate, '--drop-rate', 0),
    seed: intFlag(opts.seed, '--seed', 1, 0, 2 ** 31),
    recordRequests: false,
    ...(blocked.length ? { blockedAnalyticsTypes: [...new Set(blocked)] } : {}),
    ...sandboxCatalogue(opts.customFields),
  };
}

export async function sandboxCommand(opts: SandboxFlags, io: CliIO): Promise<number> {
  const options = sandboxOptions(opts);
  const sb = await createSandbox(options);
  const { limit, windowMs } = options.rateLimit!;
  const blocked = options.blockedAnalyticsTypes ?? [];
  io.stdout.write(
    [
      `Vitally sandbox listening on ${sb.url} (rate limit ${limit} requests per ${windowMs / 1000} s)`,
      `REST token: ${sb.token}`,
      `Analytics token: ${sb.analyticsToken}`,
      ...(blocked.length ? [`Analytics message types blocked (answered 400): ${blocked.join(', ')}`] : []),
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
