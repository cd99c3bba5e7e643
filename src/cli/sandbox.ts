/** `vitally-sync sandbox`: serve the local Vitally-compatible API until Ctrl-C. */
import { readFileSync } from 'node:fs';
import { intFlag, shareFlag } from '../config/numbers.js';
import { ConfigError } from '../errors.js';
import { PROFILES, createSandbox, type BehaviourOptions, type CustomObjectOptions, type Profile, type SandboxOptions } from '../sandbox/index.js';
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
  profile?: string;
  putUnknown?: string;
  postExisting?: string;
  userLinks?: string;
  accountRename?: string;
  rateHeaders?: string;
  rateReset?: string;
  rateWindow?: string;
  /** --retry-after / --no-retry-after; undefined: the profile's choice. */
  retryAfter?: boolean;
  writeCost?: string;
  /** false with --no-organizations. */
  organizations?: boolean;
  customObjects?: string;
  analyticsApply?: string;
  analyticsDelay?: string;
}

/** The flags that name one behaviour option each, their value passed as is (the sandbox checks it). */
const CHOICE_FLAGS = {
  putUnknown: 'putUnknown',
  postExisting: 'postExisting',
  userLinks: 'userLinks',
  accountRename: 'accountRename',
  rateHeaders: 'rateLimitHeaders',
  rateReset: 'rateLimitReset',
  rateWindow: 'rateLimitWindow',
  analyticsApply: 'analyticsApply',
} as const satisfies Partial<Record<keyof SandboxFlags, keyof BehaviourOptions>>;

/** The custom object definitions of `--custom-objects <file>`: a JSON array of {id?, name, label?, fields?}. */
function customObjectsFile(file: string): CustomObjectOptions[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new ConfigError(
      `--custom-objects ${file}: ${code === 'ENOENT' ? 'no such file' : code ? `cannot be read (${code})` : `not valid JSON (${(err as Error).message})`}`,
    );
  }
  if (!Array.isArray(json)) throw new ConfigError(`--custom-objects ${file}: expected a JSON array of {id?, name, label?, fields?}`);
  return json as CustomObjectOptions[];
}

/** The behaviour flags as sandbox options: only those given, so the profile decides the rest. */
function behaviourOptions(opts: SandboxFlags): Partial<SandboxOptions> {
  const out: Partial<SandboxOptions> = {};
  if (opts.profile !== undefined) out.profile = opts.profile as Profile;
  for (const [flag, option] of Object.entries(CHOICE_FLAGS) as Array<[keyof typeof CHOICE_FLAGS, string]>) {
    if (opts[flag] !== undefined) (out as Record<string, unknown>)[option] = opts[flag];
  }
  if (opts.retryAfter !== undefined) out.retryAfter = opts.retryAfter;
  if (opts.organizations === false) out.organizations = false;
  if (opts.writeCost !== undefined) out.writeCost = intFlag(opts.writeCost, '--write-cost', 1, 1, 1_000_000);
  if (opts.analyticsDelay !== undefined) out.analyticsDelayMs = intFlag(opts.analyticsDelay, '--analytics-delay', 0, 0, 600_000);
  if (opts.customObjects !== undefined) out.customObjects = customObjectsFile(opts.customObjects);
  return out;
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
    ...behaviourOptions(opts),
  };
}

export async function sandboxCommand(opts: SandboxFlags, io: CliIO): Promise<number> {
  const options = sandboxOptions(opts);
  const sb = await createSandbox(options);
  const { limit, windowMs } = options.rateLimit!;
  const blocked = options.blockedAnalyticsTypes ?? [];
  // The behaviour options given by flag: what this sandbox does apart from its profile's defaults.
  const changed = (Object.keys(PROFILES.docs) as Array<keyof BehaviourOptions>)
    .filter((k) => options[k] !== undefined)
    .map((k) => `${k}=${String(sb.options[k])}`);
  io.stdout.write(
    [
      `Vitally sandbox listening on ${sb.url} (rate limit ${limit} requests per ${windowMs / 1000} s, ${sb.options.rateLimitWindow} window)`,
      `Profile: ${sb.options.profile}${changed.length ? ` with ${changed.join(', ')}` : ''} (docs/sandbox.md)`,
      `REST token: ${sb.token}`,
      `Analytics token: ${sb.analyticsToken}`,
      ...(blocked.length ? [`Analytics message types blocked (answered 400): ${blocked.join(', ')}`] : []),
      ...sb.options.customObjects.map((c) => `Custom object ${c.name}: id ${c.id}`),
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
