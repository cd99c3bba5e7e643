import { afterEach, describe, expect, it } from 'vitest';
import { sandboxOptions } from '../../src/cli/sandbox.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { errorOf, runCli } from '../helpers/cli.js';

let sb: Sandbox | undefined;
afterEach(async () => {
  await sb?.close();
  sb = undefined;
});

describe('vitally-sync sandbox: flags -> sandbox options', () => {
  it('maps every flag, with the defaults when none is given', () => {
    expect(sandboxOptions({})).toEqual({
      port: 0,
      rateLimit: { limit: 1000, windowMs: 60_000 },
      latencyMs: 0,
      failRate: 0,
      dropRate: 0,
      seed: 1,
      recordRequests: false,
    });
    expect(
      sandboxOptions({
        port: '4010',
        token: 'tok',
        limit: '100',
        window: '10',
        latency: '5',
        failRate: '0.1',
        dropRate: '0.2',
        seed: '7',
        customFields: 'fixtures/custom-fields.json',
      }),
    ).toMatchObject({
      port: 4010,
      token: 'tok',
      rateLimit: { limit: 100, windowMs: 10_000 },
      latencyMs: 5,
      failRate: 0.1,
      dropRate: 0.2,
      seed: 7,
      customFields: expect.arrayContaining([expect.objectContaining({ model: expect.any(String) })]),
    });
  });

  it('--block-analytics (repeatable) blocks those Analytics message types; an unknown type is refused', () => {
    expect(sandboxOptions({ blockAnalytics: ['user', 'track', 'user'] }).blockedAnalyticsTypes).toEqual(['user', 'track']);
    expect(() => sandboxOptions({ blockAnalytics: ['users'] })).toThrow('--block-analytics "users" must be one of track, user, account, organization, unlink');
    expect(() => sandboxOptions({ limit: 'many' })).toThrow('--limit "many" must be a whole number');
  });

  it('a sandbox made from --block-analytics user refuses user messages over HTTP: the push stops with exit 2', async () => {
    sb = await createSandbox(sandboxOptions({ blockAnalytics: ['user'] }));
    const env = { VITALLY_BASE_URL: sb.url, VITALLY_API_TOKEN: sb.token, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken };
    const accounts = await runCli(['push', 'fixtures/accounts.csv', '--object', 'account', '--via', 'analytics'], { env });
    expect(accounts.code).toBe(0);
    const users = await runCli(['push', 'fixtures/users.csv', '--object', 'user', '--via', 'analytics', '--json'], { env });
    expect(users.code).toBe(2);
    expect(errorOf(users)).toMatchObject({ code: 'CONFIG_INVALID', exitCode: 2, message: expect.stringContaining('Vitally refused every "user" message') });
    expect(sb.store.all('users')).toHaveLength(0);
  });

  it('the option is declared on the command', async () => {
    const help = await runCli(['sandbox', '--help']);
    expect(help.stdout).toContain('--block-analytics <type>');
  });
});
