import { describe, expect, it } from 'vitest';
import { FRAGMENT_CHARS, formsOf, Secrets } from '../../src/vitally/redact.js';

const TOKEN = 'sk_live_4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');
const HEADER = `Basic ${b64(`${TOKEN}:`)}`;

describe('Secrets.redact: every whole form', () => {
  it.each([
    ['the token', TOKEN],
    ['base64 of token:', b64(`${TOKEN}:`)],
    ['base64 of the token alone', b64(TOKEN)],
    ['URL-safe base64 of token:', b64url(`${TOKEN}:`)],
    ['the Basic header value', HEADER],
    ['the base64 of the Basic header value', b64(HEADER)],
    ['the Analytics header value (Basic <token>)', `Basic ${TOKEN}`],
    ['the header value percent-encoded', encodeURIComponent(HEADER)],
  ])('%s', (_name, form) => {
    expect(new Secrets([TOKEN]).redact(`before ${form} after`)).toBe('before *** after');
  });

  it('knows the token behind a pasted "Basic <base64>" value, and behind its bare base64 half', () => {
    for (const given of [HEADER, b64(`${TOKEN}:`)]) {
      expect(new Secrets([given]).redact(`user ${TOKEN} said`)).toBe('user *** said');
    }
  });

  it('ignores blank and very short values, and leaves other text alone', () => {
    const s = new Secrets([undefined, '', '  ', 'abc']);
    expect(s.size).toBe(0);
    expect(s.redact('abc def')).toBe('abc def');
    expect(new Secrets([TOKEN]).redact('nothing secret here: sk_..., Basic ***')).toBe('nothing secret here: sk_..., Basic ***');
  });

  it('learns secrets added later', () => {
    const s = new Secrets();
    expect(s.redact(TOKEN)).toBe(TOKEN);
    s.add(TOKEN);
    expect(s.redact(TOKEN)).toBe('***');
  });
});

describe('Secrets.scrub: fragments too', () => {
  const s = new Secrets([HEADER]);

  it('the head of the token where a text was cut', () => {
    expect(s.scrub(`token=${TOKEN.slice(0, 21)}...`)).toBe('token=***...');
    expect(s.scrub(`token=${TOKEN.slice(0, FRAGMENT_CHARS)}`)).toBe('token=***');
    // Shorter than a fragment: left as is (nothing that short is worth hiding).
    expect(s.scrub(`token=${TOKEN.slice(0, FRAGMENT_CHARS - 1)}`)).toBe(`token=${TOKEN.slice(0, FRAGMENT_CHARS - 1)}`);
  });

  it('the tail, and a middle piece, of the token and of its base64', () => {
    expect(s.scrub(`...${TOKEN.slice(-12)} end`)).toBe('...*** end');
    expect(s.scrub(`x ${TOKEN.slice(10, 30)} y`)).toBe('x *** y');
    expect(s.scrub(`x ${b64(`${TOKEN}:`).slice(5, 25)} y`)).toBe('x *** y');
  });

  it('the token encoded inside a longer base64 text, at any alignment', () => {
    for (const before of ['', 'a', 'ab', 'abc']) {
      const encoded = b64(`${before}authorization for ${TOKEN}: granted`);
      const scrubbed = s.scrub(`trace=${encoded}`);
      expect(scrubbed).toContain('***');
      for (const form of formsOf(TOKEN)) expect(scrubbed).not.toContain(form);
      // The characters that encode the token's bytes alone, wherever it starts: none 8 in a row is left.
      const at = before.length + 'authorization for '.length;
      const own = encoded.slice(Math.ceil((at * 4) / 3), Math.floor(((at + TOKEN.length) * 4) / 3));
      expect(own.length).toBeGreaterThan(40);
      for (let i = 0; i + 8 <= own.length; i++) expect(scrubbed).not.toContain(own.slice(i, i + 8));
    }
  });

  it('leaves a text without any of it unchanged', () => {
    const text = '{"id":"0b6c5e1f-8a9d-4c3b-9e2f-1a2b3c4d5e6f","externalId":"acme","name":"Acme, Inc"}';
    expect(s.scrub(text)).toBe(text);
  });
});
