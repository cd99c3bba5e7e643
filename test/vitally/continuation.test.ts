import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createSender } from '../../src/api/sender.js';
import { resolveNet } from '../../src/config/net.js';
import { InterruptedError } from '../../src/vitally/sender.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await createSandbox();
});
afterAll(() => sb.close());

describe('stopping', () => {
  it('refuses a new row once stopping, but lets a row finish what it started (the POST after a 404)', async () => {
    const sender = createSender({ net: resolveNet({}) }, { baseUrl: sb.url, token: sb.token, tokenSource: 'the sandbox token' });
    const stop = new AbortController();
    sender.stopOn(stop.signal);
    stop.abort();
    await expect(sender.send({ method: 'GET', path: '/resources/accounts' })).rejects.toBeInstanceOf(InterruptedError);
    const res = await sender.send({ method: 'POST', path: '/resources/accounts', body: '{"externalId":"c1","name":"C"}' }, { continuation: true });
    expect(res.status).toBe(200);
    expect(sb.store.get('accounts', 'c1')).toBeDefined();
    await sender.http.close();
    sender.pacer.close();
  });
});
