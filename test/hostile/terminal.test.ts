/**
 * A server's text shown on a terminal: escape sequences, bells and carriage returns in an error body or
 * a trait catalogue are shown as `\u` escapes, never written raw (they would clear the screen, write the
 * clipboard through OSC 52, or overwrite a failed row's line with a forged "ok" one).
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeTemp } from '../helpers/cli.js';
import { accountsCsv, hostile, json, ROWS_ONLY, TOKEN, type Hostile } from './helpers.js';

let h: Hostile | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Clear the screen, write the clipboard, then return to the line's start and forge a result. */
const HOSTILE_TEXT = '\u001b[2J\u001b[H\u001b]52;c;ZWNobyBwd25lZA==\u0007\rrow 1     ok      updated    acct-1 \u001b[32mALL GOOD\u001b[0m\n';
/** Every control character a terminal acts on (C0 but for the line feeds ending lines, DEL, C1). */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe('control characters in what a server says', () => {
  it('an error body full of escape sequences: each row fails on a line of its own, the sequences shown as \\u escapes', async () => {
    h = await hostile((_req, res) => json(res, 500, { error: HOSTILE_TEXT }));
    const dir = tempDir();
    const file = writeTemp(dir, 'accounts.csv', accountsCsv(2));
    const r = await runCli(['push', file, '--object', 'account', '--no-state', '--max-retries', '0', '--rejects', join(dir, 'rejects.ndjson'), ...ROWS_ONLY], {
      env: { VITALLY_BASE_URL: h.url, VITALLY_API_TOKEN: TOKEN },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('row '));
    expect(lines).toHaveLength(2);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatch(new RegExp(`^row ${i + 1} +failed +error +acct-${i + 1} +500 +PUT /resources/accounts/acct-${i + 1} answered 500: `));
      expect(line).toContain('\\u001b[2J\\u001b[H\\u001b]52;c;ZWNobyBwd25lZA==\\u0007\\u000drow 1     ok');
    }
    expect(h.received.filter((q) => q.method === 'PUT')).toHaveLength(2);
  });

  it('fields: a catalogue whose label and key hold escape sequences is listed with them shown as \\u escapes', async () => {
    h = await hostile((_req, res) => json(res, 200, [{ model: 'accounts', label: `Plan${HOSTILE_TEXT}`, path: 'plan\u001b]52;c;eA==\u0007', type: 'string' }]));
    const r = await runCli(['fields', '--object', 'account', '--base-url', h.url, '--no-state'], { env: { VITALLY_API_TOKEN: TOKEN } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toMatch(/^Plan\\u001b\[2J.*\\u000drow 1 {5}ok.* {2}plan\\u001b\]52;c;eA==\\u0007 {2}string/m);
  });
});
