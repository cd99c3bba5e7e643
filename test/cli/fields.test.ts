import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSandbox, type CustomField, type Sandbox } from '../../src/sandbox/index.js';
import { rows, runCli, sandboxEnv, summaryOf, tempDir, writeTemp } from '../helpers/cli.js';

const FIELDS = JSON.parse(readFileSync('fixtures/custom-fields.json', 'utf8')) as CustomField[];

let sb: Sandbox;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  sb = await createSandbox({ customFields: FIELDS });
  env = sandboxEnv(sb);
  dir = tempDir();
});
afterAll(() => sb.close());
beforeEach(() => sb.reset());

describe('fields', () => {
  it('lists the custom traits Vitally knows for an object: label, key, type, options, and what push makes of them', async () => {
    const r = await runCli(['fields', '--object', 'account', '--no-state'], { env });
    expect(r.code).toBe(0);
    expect(sb.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /resources/customFields?model=accounts']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('7 custom account traits in Vitally (from /resources/customFields?model=accounts):');
    expect(lines[2]).toMatch(/^LABEL\s+KEY\s+TYPE\s+PUSH --TYPES VITALLY SENDS\s+OPTIONS$/);
    expect(lines.find((l) => l.startsWith('Plan '))).toMatch(/^Plan\s+vitally\.custom\.plan\s+picklist\s+one of its options\s+Starter, Growth, Enterprise$/);
    expect(lines.find((l) => l.startsWith('Seats '))).toMatch(/^Seats\s+vitally\.custom\.seats\s+number\s+number$/);
    expect(r.stdout).not.toContain(sb.token);
  });

  it('--json prints them as JSON', async () => {
    const r = await runCli(['fields', '--object', 'user', '--json', '--no-state'], { env });
    expect(r.code).toBe(0);
    expect(r.json).toHaveLength(1);
    expect(r.json[0]).toMatchObject({
      object: 'user',
      model: 'users',
      from: 'vitally',
      fields: [
        { label: 'Role', key: 'vitally.custom.role', type: 'picklist', options: ['Admin', 'Member', 'Viewer'], pushAs: 'one of its options' },
        { label: 'NPS score', key: 'vitally.custom.nps', type: 'number', pushAs: 'number' },
      ],
    });
  });

  it('says so when there are none; --sandbox serves the catalogue of --custom-fields', async () => {
    const none = await runCli(['fields', '--object', 'organization', '--no-state'], { env });
    expect(none.stdout).toBe('Vitally lists no custom organization traits (from /resources/customFields?model=organizations).\n');
    const empty = await runCli(['fields', '--object', 'account', '--sandbox'], { env: {} });
    expect(empty.stdout).toContain('Vitally lists no custom account traits');
    const given = await runCli(['fields', '--object', 'account', '--sandbox', '--custom-fields', 'fixtures/custom-fields.json', '--json'], { env: {} });
    expect(given.json[0]!.fields).toHaveLength(7);
    const file = await runCli(['fields', '--object', 'account', '--custom-fields', 'fixtures/custom-fields.json', '--json'], { env: {} });
    expect(file.json[0]).toMatchObject({ from: 'file' });
  });

  it('keeps the answer in the state store, where a dry run finds it', async () => {
    const state = join(dir, 'fields-state.db');
    expect((await runCli(['fields', '--object', 'account', '--state', state], { env })).code).toBe(0);
    sb.requests.length = 0;
    const file = writeTemp(dir, 'f.csv', 'externalId,name,traits.vitally.custom.seats,mmr\na,A,3,1\n');
    const dry = await runCli(['push', file, '--object', 'account', '--types', 'vitally', '--dry-run', '--state', state, '--json'], { env });
    expect(dry.code).toBe(0);
    expect(sb.requests).toHaveLength(0);
    expect(JSON.stringify(rows(dry)[0]!.requests.at(-1).body)).toBe('{"externalId":"a","name":"A","traits":{"vitally.custom.seats":3,"mmr":"1"}}');
    expect(summaryOf(dry).warnings).toEqual(['mmr: not a known account trait; did you mean mrr? (--map mmr=traits.mrr)']);
  });

  it('needs a known object with a catalogue, and a token', async () => {
    const missing = await runCli(['fields'], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('fields needs --object');
    expect((await runCli(['fields', '--object', 'event'], { env })).stderr).toContain('Vitally keeps no trait catalogue for events');
    const noToken = await runCli(['fields', '--object', 'account'], { env: { VITALLY_BASE_URL: sb.url } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('No REST API token');
    const refused = await runCli(['fields', '--object', 'account', '--no-state'], { env: { ...env, VITALLY_API_TOKEN: 'sk_wrong_one' } });
    expect(refused.code).toBe(3);
    expect(refused.stderr).not.toContain('sk_wrong_one');
  });
});
