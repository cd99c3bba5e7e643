/**
 * Sandbox options, normalised once at creation: each is given its default or checked, and a bad value
 * throws ConfigError naming the option (never a token's value).
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { CustomField, CustomObjectOptions, RateLimitOptions, ResolvedSandboxOptions, SandboxOptions } from './index.js';
import { CHOICES, PROFILES, PROFILE_NAMES, type BehaviourOptions } from './profiles.js';

const MODEL_ALIASES: Record<string, string> = {
  account: 'accounts',
  user: 'users',
  organization: 'organizations',
  note: 'notes',
  task: 'tasks',
  conversation: 'conversations',
  customObject: 'customObjects',
  project: 'projects',
};

/** customFields models may be given singular or plural; the endpoint speaks plural. */
export function normalizeModel(model: string): string {
  return MODEL_ALIASES[model] ?? model;
}

function fail(option: string, expected: string): never {
  throw new ConfigError(`sandbox option ${option} must be ${expected}`);
}

function rate(name: string, v: number | undefined): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) fail(name, 'a number between 0 and 1');
  return v;
}

function window(name: string, v: RateLimitOptions): RateLimitOptions {
  if (!v || !Number.isInteger(v.limit) || v.limit < 1) fail(`${name}.limit`, 'a positive integer');
  if (!Number.isFinite(v.windowMs) || v.windowMs <= 0) fail(`${name}.windowMs`, 'a positive number of milliseconds');
  return { limit: v.limit, windowMs: v.windowMs };
}

function token(name: string, v: string | undefined, prefix: string): string {
  if (v === undefined) return prefix + randomBytes(12).toString('hex');
  if (typeof v !== 'string' || !/^[\x21-\x7e]+$/.test(v)) fail(name, 'a non-empty string of visible ASCII characters');
  return v;
}

function oneOf<T extends string>(name: string, v: T | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!allowed.includes(v)) fail(name, `one of ${allowed.join(', ')}`);
  return v;
}

function fields(v: CustomField[] | undefined, startedAt: string): CustomField[] {
  return (v ?? []).map((f, i) => {
    for (const k of ['model', 'label', 'path', 'type'] as const) {
      if (typeof f[k] !== 'string' || !f[k]) fail(`customFields[${i}].${k}`, 'a non-empty string');
    }
    return { ...f, model: normalizeModel(f.model), createdAt: f.createdAt ?? startedAt };
  });
}

function bool(name: string, v: boolean | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(name, 'true or false');
  return v;
}

function count(name: string, v: number | undefined, dflt: number, min: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min) fail(name, min === 0 ? 'a non-negative integer' : 'a positive integer');
  return v;
}

/** The behaviour options: the profile's values, overridden by those given. */
function behaviour(o: SandboxOptions, base: BehaviourOptions): BehaviourOptions {
  const out = { ...base };
  for (const key of Object.keys(CHOICES) as Array<keyof typeof CHOICES>) {
    (out as Record<string, unknown>)[key] = oneOf<string>(key, o[key], CHOICES[key], base[key]);
  }
  out.retryAfter = bool('retryAfter', o.retryAfter, base.retryAfter);
  out.organizations = bool('organizations', o.organizations, base.organizations);
  out.conversationAtEnd = bool('conversationAtEnd', o.conversationAtEnd, base.conversationAtEnd);
  out.writeCost = count('writeCost', o.writeCost, base.writeCost, 1);
  out.analyticsDelayMs = count('analyticsDelayMs', o.analyticsDelayMs, base.analyticsDelayMs, 0);
  return out;
}

function customObjects(v: CustomObjectOptions[] | undefined): ResolvedSandboxOptions['customObjects'] {
  const names = new Set<string>();
  return (v ?? []).map((def, i) => {
    if (typeof def?.name !== 'string' || !def.name) fail(`customObjects[${i}].name`, 'a non-empty string');
    if (names.has(def.name)) fail(`customObjects[${i}].name`, `unique (${def.name} is given twice)`);
    names.add(def.name);
    const fieldList = (def.fields ?? []).map((f, j) => {
      for (const k of ['label', 'path', 'type'] as const) {
        if (typeof f[k] !== 'string' || !f[k]) fail(`customObjects[${i}].fields[${j}].${k}`, 'a non-empty string');
      }
      return { ...f, id: f.id ?? randomUUID() };
    });
    return { id: def.id ?? randomUUID(), name: def.name, label: def.label ?? def.name, fields: fieldList };
  });
}

export function resolveOptions(o: SandboxOptions, startedAt: string): ResolvedSandboxOptions {
  const profile = oneOf('profile', o.profile, PROFILE_NAMES, 'docs');
  const latencyMs = o.latencyMs ?? 0;
  if (!Number.isFinite(latencyMs) || latencyMs < 0) fail('latencyMs', 'a non-negative number');
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('port', 'an integer between 0 and 65535');
  if (o.now !== undefined && typeof o.now !== 'function') fail('now', 'a function returning milliseconds since the epoch');
  const seed = o.seed ?? 1;
  if (!Number.isFinite(seed)) fail('seed', 'a number');
  const resolved: ResolvedSandboxOptions = {
    ...behaviour(o, PROFILES[profile]),
    profile,
    host: o.host ?? '127.0.0.1',
    port,
    token: token('token', o.token, 'sk_sandbox_'),
    analyticsToken: token('analyticsToken', o.analyticsToken, 'an_sandbox_'),
    rateLimit: window('rateLimit', o.rateLimit ?? { limit: 1000, windowMs: 60_000 }),
    analyticsRateLimit: o.analyticsRateLimit ? window('analyticsRateLimit', o.analyticsRateLimit) : null,
    latencyMs,
    failRate: rate('failRate', o.failRate),
    dropRate: rate('dropRate', o.dropRate),
    dropAfterRate: rate('dropAfterRate', o.dropAfterRate),
    seed,
    customFields: fields(o.customFields, startedAt),
    customObjects: customObjects(o.customObjects),
    blockedAnalyticsTypes: [...(o.blockedAnalyticsTypes ?? [])],
    admins: (o.admins ?? []).map((a, i) => {
      if (typeof a.email !== 'string' || !a.email) fail(`admins[${i}].email`, 'a non-empty string');
      return { ...a };
    }),
    recordRequests: o.recordRequests ?? true,
  };
  if (resolved.token === resolved.analyticsToken) fail('analyticsToken', 'different from token');
  return resolved;
}
