import { describe, it, expect, afterEach } from 'vitest';
import { createSandbox, PROFILES, type Sandbox } from '../../src/sandbox/index.js';
import { rest } from './helpers.js';

describe('sandbox profiles', () => {
  let sb: Sandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('defaults to the docs profile, whose behaviour options are the documented ones', async () => {
    sb = await createSandbox();
    expect(sb.options.profile).toBe('docs');
    expect(sb.options).toMatchObject(PROFILES.docs);
    expect(PROFILES.docs).toMatchObject({
      recordShape: 'docs',
      rateLimitHeaders: 'ratelimit',
      rateLimitReset: 'delta',
      rateLimitWindow: 'sliding',
      accountRename: 'accept',
      analyticsApply: 'at-once',
      analyticsInvalid: 'reject',
      listEnd: 'null',
      messageTo: 'required',
    });
  });

  it('the live profile sets the behaviour production code shows', async () => {
    sb = await createSandbox({ profile: 'live' });
    expect(sb.options).toMatchObject({
      profile: 'live',
      recordShape: 'live',
      traitDates: 'epoch',
      accountRename: 'refuse',
      rateLimitHeaders: 'x-ratelimit',
      rateLimitReset: 'epoch',
      rateLimitWindow: 'fixed',
      retryAfter: false,
      postExisting: 'update',
      userLinks: 'replace',
      analyticsApply: 'deferred',
      analyticsInvalid: 'drop',
      analyticsUnknown: 'drop',
      conversationAtEnd: true,
      listEnd: 'empty-page',
      messageTo: 'optional',
      customObjectsList: 'page',
      organizations: true,
      writeCost: 1,
    });
    const res = await rest(sb, 'GET', '/resources/accounts');
    expect(res.headers['x-ratelimit-limit']).toBe('1000');
    expect(res.headers['ratelimit-limit']).toBeUndefined();
  });

  it('an option given explicitly overrides the profile, in either direction', async () => {
    sb = await createSandbox({ profile: 'live', accountRename: 'accept', rateLimitHeaders: 'ratelimit', retryAfter: true });
    expect(sb.options).toMatchObject({ accountRename: 'accept', rateLimitHeaders: 'ratelimit', retryAfter: true, rateLimitReset: 'epoch' });
    await sb.close();
    sb = await createSandbox({ recordShape: 'live', postExisting: 'duplicate' });
    expect(sb.options).toMatchObject({ profile: 'docs', recordShape: 'live', postExisting: 'duplicate', traitDates: 'as-sent' });
  });

  it('refuses unknown profiles and option values with a ConfigError naming the option', async () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ profile: 'prod' }, 'sandbox option profile must be one of docs, live'],
      [{ postExisting: 'ignore' }, 'sandbox option postExisting must be one of update, conflict, duplicate'],
      [{ rateLimitWindow: 'rolling' }, 'sandbox option rateLimitWindow must be one of sliding, fixed'],
      [{ writeCost: 0 }, 'sandbox option writeCost must be a positive integer'],
      [{ analyticsDelayMs: -1 }, 'sandbox option analyticsDelayMs must be a non-negative integer'],
      [{ organizations: 'no' }, 'sandbox option organizations must be true or false'],
      [{ customObjects: [{ name: '' }] }, 'sandbox option customObjects[0].name must be a non-empty string'],
      [{ customObjects: [{ name: 'a' }, { name: 'a' }] }, 'sandbox option customObjects[1].name must be unique (a is given twice)'],
      [{ now: 5 }, 'sandbox option now must be a function returning milliseconds since the epoch'],
    ];
    for (const [opts, message] of bad) {
      await expect(createSandbox(opts as never), JSON.stringify(opts)).rejects.toMatchObject({ name: 'ConfigError', message });
    }
  });
});
