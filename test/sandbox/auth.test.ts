import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { ConfigError } from '../../src/errors.js';
import { analytics, basic, rest } from './helpers.js';

describe('sandbox auth', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await createSandbox({ token: 'sk_test_rest_secret', analyticsToken: 'an_test_analytics_secret' });
  });
  afterAll(() => sb.close());

  it('generates distinct tokens by default and serves analytics on the same URL', async () => {
    const other = await createSandbox();
    try {
      expect(other.token).toMatch(/^sk_sandbox_[0-9a-f]{24}$/);
      expect(other.analyticsToken).toMatch(/^an_sandbox_[0-9a-f]{24}$/);
      expect(other.analyticsUrl).toBe(other.url);
      expect(other.url).toBe(`http://127.0.0.1:${other.port}`);
    } finally {
      await other.close();
    }
  });

  it('accepts Basic base64(token:) on REST', async () => {
    const res = await rest(sb, 'GET', '/resources/accounts');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
  });

  it('answers 401 without or with a wrong REST token', async () => {
    const none = await rest(sb, 'GET', '/resources/accounts', undefined, { auth: null });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: 'Unauthorized' });
    const wrong = await rest(sb, 'GET', '/resources/accounts', undefined, { auth: basic('sk_test_wrong') });
    expect(wrong.status).toBe(401);
    expect(wrong.json).toEqual({ error: 'Unauthorized' });
    const bearer = await rest(sb, 'GET', '/resources/accounts', undefined, { auth: 'Bearer sk_test_rest_secret' });
    expect(bearer.status).toBe(401);
  });

  it('rejects the Analytics token on REST with a hint', async () => {
    for (const auth of [basic(sb.analyticsToken), `Basic ${sb.analyticsToken}`]) {
      const res = await rest(sb, 'GET', '/resources/accounts', undefined, { auth });
      expect(res.status).toBe(401);
      expect(res.json.error).toMatch(/REST API.*not the Analytics API token/);
    }
  });

  it('hints when the REST token is sent unencoded', async () => {
    const res = await rest(sb, 'GET', '/resources/accounts', undefined, { auth: `Basic ${sb.token}` });
    expect(res.status).toBe(401);
    expect(res.json.error).toMatch(/base64/);
  });

  it('accepts the Analytics token verbatim on the Analytics API', async () => {
    const res = await analytics(sb, 'organization', { organizationId: 'o1', traits: {}, messageId: 'auth-1' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ message: 'Success.' });
  });

  it('rejects the REST token on the Analytics API with a hint, and nothing is applied', async () => {
    const msg = { organizationId: 'o-rest', traits: {}, messageId: 'auth-2' };
    for (const auth of [basic(sb.token), `Basic ${sb.token}`]) {
      const res = await analytics(sb, 'organization', msg, { auth });
      expect(res.status).toBe(401);
      expect(res.json.error).toBe('Unauthorized: this is the Analytics API; it takes the Analytics API token, not the REST secret token');
    }
    const encoded = await analytics(sb, 'organization', msg, { auth: basic(sb.analyticsToken) });
    expect(encoded.status).toBe(401);
    expect(encoded.json.error).toMatch(/verbatim/);
    const none = await analytics(sb, 'organization', msg, { auth: null });
    expect(none.json).toEqual({ error: 'Unauthorized' });
    expect(sb.store.get('organizations', 'o-rest')).toBeUndefined();
  });

  it('401s carry no rate-limit headers and do not count against the window', async () => {
    const before = sb.stats.maxInWindow;
    const res = await rest(sb, 'GET', '/resources/accounts', undefined, { auth: null });
    expect(res.headers['ratelimit-limit']).toBeUndefined();
    expect(sb.stats.maxInWindow).toBe(before);
  });

  it('never records a token in the request log', async () => {
    await rest(sb, 'POST', '/resources/organizations', { externalId: 'log-1', name: 'Logged' });
    expect(sb.requests.length).toBeGreaterThan(5);
    const log = JSON.stringify(sb.requests);
    for (const secret of [sb.token, sb.analyticsToken, basic(sb.token).slice(6)]) expect(log).not.toContain(secret);
    expect(sb.requests.at(-1)).toMatchObject({ method: 'POST', path: '/resources/organizations', status: 200, api: 'rest' });
  });

  it('rejects bad options with ConfigError naming the option, not the value', async () => {
    await expect(createSandbox({ failRate: 2 })).rejects.toThrow(ConfigError);
    await expect(createSandbox({ failRate: 2 })).rejects.toThrow(/failRate/);
    await expect(createSandbox({ token: 'has space' })).rejects.toThrow(/option token/);
    await expect(createSandbox({ token: 'same_1', analyticsToken: 'same_1' })).rejects.toThrow(/analyticsToken/);
  });
});
