import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { logLine } from '../../src/api/request-log.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { runCli, summaryOf, useSandbox, writeTemp } from '../helpers/cli.js';

let sb: Sandbox;
let dir: string;
let env: Record<string, string>;
useSandbox((c) => ({ sb, dir, env } = c));
beforeEach(() => {
  sb.options.failRate = 0;
  // A high limit, so the pacer (which follows the announced limit) does not space the retries out.
  sb.options.rateLimit = { limit: 100_000, windowMs: 60_000 };
  sb.reset();
});

const readLog = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
/** The lines of the rows' requests: not the trait catalogue's GET, which a run makes first (and counts apart). */
const rowLines = (lines: Array<Record<string, any>>) => lines.filter((l) => !String(l.url).includes('/resources/customFields'));

describe('--log-requests', () => {
  it('logs every request of the run with status, attempt, headers, bodies and timing', async () => {
    const file = writeTemp(dir, 'a.csv', 'externalId,name,mrr\nacme,Acme,10\nglobex,Globex,20\n');
    const log = join(dir, 'requests.ndjson');
    const r = await runCli(['push', file, '--object', 'account', '--json', '--log-requests', log], { env });
    expect(r.code).toBe(0);
    const lines = readLog(log);
    // Every request the sandbox received is in the log, in the same number, with the same statuses.
    expect(lines).toHaveLength(sb.requests.length);
    expect(lines.map((l) => `${l.method} ${new URL(l.url).pathname} ${l.status}`).sort()).toEqual(
      sb.requests.map((q) => `${q.method} ${q.path.split('?')[0]} ${q.status}`).sort(),
    );
    const put = lines.find((l) => l.method === 'PUT' && l.url.endsWith('/acme'))!;
    expect(put).toMatchObject({
      api: 'rest',
      url: `${sb.url}/resources/accounts/acme`,
      attempt: 1,
      status: 404,
      request: {
        headers: { authorization: 'Basic ***', 'content-type': 'application/json', accept: 'application/json' },
        body: { name: 'Acme', traits: { mrr: 10 } },
      },
      response: { headers: { 'ratelimit-limit': expect.any(String) }, body: { error: expect.any(String) } },
      error: null,
    });
    expect(typeof put.ms).toBe('number');
    expect(Number.isNaN(Date.parse(put.time))).toBe(false);
    expect(lines.map((l) => `${l.method} ${new URL(l.url).pathname}`)).toContain('GET /resources/customFields');
    expect(summaryOf(r)).toMatchObject({ requestLog: log, requests: rowLines(lines).length });
  });

  it('never holds the token, its base64 form or the Basic header, even when Vitally echoes the token back', async () => {
    const file = writeTemp(dir, 'echo.csv', `externalId,name\n${sb.token},Echo\nplain,Plain\n`);
    const log = join(dir, 'echo.ndjson');
    for (const token of [sb.token, `Basic ${Buffer.from(`${sb.token}:`).toString('base64')}`]) {
      sb.reset();
      const r = await runCli(['push', file, '--object', 'account', '--log-requests', log], { env: { ...env, VITALLY_API_TOKEN: token } });
      expect(r.code).toBe(0);
      const text = readFileSync(log, 'utf8');
      expect(text).not.toContain(sb.token);
      expect(text).not.toContain(Buffer.from(`${sb.token}:`).toString('base64'));
      expect(text).not.toContain(Buffer.from(sb.token).toString('base64'));
      expect(text).toContain('***');
      expect(readLog(log)).toHaveLength(sb.requests.length);
    }
  });

  it('logs each attempt of a retried request, and the Analytics transport too', async () => {
    sb.options.failRate = 0.5;
    const file = writeTemp(dir, 'retry.csv', ['externalId,name', ...Array.from({ length: 12 }, (_, i) => `r${i},R${i}`)].join('\n'));
    const log = join(dir, 'retry.ndjson');
    const r = await runCli(
      ['push', file, '--object', 'account', '--json', '--retry-base-ms', '1', '--max-retries', '10', '--rate', '100000', '--log-requests', log],
      { env },
    );
    expect(r.code).toBe(0);
    const lines = readLog(log);
    expect(lines).toHaveLength(sb.requests.length);
    expect(lines.filter((l) => l.status === 503).length).toBe(sb.stats.faults.failed);
    expect(lines.some((l) => l.attempt > 1)).toBe(true);
    expect(summaryOf(r)!.retries).toBe(rowLines(lines).filter((l) => l.attempt > 1).length);

    sb.options.failRate = 0;
    sb.reset();
    const viaAnalytics = await runCli(['push', file, '--object', 'account', '--via', 'analytics', '--log-requests', log], {
      env: { ...env, VITALLY_ANALYTICS_TOKEN: sb.analyticsToken },
    });
    expect(viaAnalytics.code).toBe(0);
    const batch = readLog(log);
    expect(rowLines(batch).map((l) => `${l.api} ${l.method} ${new URL(l.url).pathname} ${l.status}`)).toEqual(['analytics POST /analytics/v1/batch 200']);
    expect(readFileSync(log, 'utf8')).not.toContain(sb.analyticsToken);
  });

  it('a log file that cannot be written stops the run before any request (exit 2)', async () => {
    const file = writeTemp(dir, 'one.csv', 'externalId,name\na,A\n');
    // A file stands where its folder would be made.
    const r = await runCli(['push', file, '--object', 'account', '--log-requests', join(file, 'log.ndjson')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--log-requests ${join(file, 'log.ndjson')}: cannot be written (${file} is a file, not a folder)`);
    expect(sb.requests).toHaveLength(0);
  });

  it('writes a failed connection as a line with status null and the error', () => {
    const line = logLine(
      {
        method: 'GET',
        url: 'https://acme.rest.vitally.io/resources/accounts/x',
        attempt: 2,
        status: null,
        ms: 5,
        requestBody: undefined,
        responseHeaders: undefined,
        responseBody: undefined,
        error: 'the connection was reset (ECONNRESET)',
      },
      'rest',
      Date.parse('2026-01-01T00:00:00.005Z'),
    );
    expect(line).toEqual({
      time: '2026-01-01T00:00:00.000Z',
      api: 'rest',
      method: 'GET',
      url: 'https://acme.rest.vitally.io/resources/accounts/x',
      attempt: 2,
      status: null,
      ms: 5,
      request: { headers: { authorization: 'Basic ***', accept: 'application/json', 'user-agent': 'vitally-sync' }, body: null },
      response: null,
      error: 'the connection was reset (ECONNRESET)',
    });
  });
});
