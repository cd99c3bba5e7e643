import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { bypassed, describeProxy, proxyFor, proxySecrets, proxySettings } from '../../src/vitally/proxy.js';

const via = (target: string, env: Record<string, string>) => proxyFor(target, proxySettings(env))?.url ?? null;

describe('which proxy a host is reached through, as curl and gh choose', () => {
  it.each([
    ['https host: HTTPS_PROXY', 'https://acme.rest.vitally.io', { HTTPS_PROXY: 'http://p:3128' }, 'http://p:3128'],
    ['http host: HTTP_PROXY', 'http://127.0.0.1:4010', { HTTP_PROXY: 'http://p:3128' }, 'http://p:3128'],
    ['an https host does not fall back to HTTP_PROXY', 'https://acme.rest.vitally.io', { HTTP_PROXY: 'http://p:3128' }, null],
    ['an http host does not take HTTPS_PROXY', 'http://127.0.0.1:4010', { HTTPS_PROXY: 'http://p:3128' }, null],
    ['lower case wins over upper case', 'https://a.example', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' }, 'http://lower:1'],
    ['an empty variable is unset', 'https://a.example', { https_proxy: '', HTTPS_PROXY: 'http://upper:2' }, 'http://upper:2'],
    ['a bare host:port is an http:// proxy', 'https://a.example', { HTTPS_PROXY: 'proxy.corp:3128' }, 'http://proxy.corp:3128'],
    ['no variable: direct', 'https://a.example', {}, null],
  ] as const)('%s', (_name, target, env, expected) => {
    expect(via(target, env)).toBe(expected);
  });

  it.each([
    ['*', 'https://acme.rest.vitally.io', true],
    ['vitally.io', 'https://acme.rest.vitally.io', true],
    ['.vitally.io', 'https://acme.rest.vitally.io', true],
    ['*.vitally.io', 'https://acme.rest.vitally.io', true],
    ['rest.vitally.io', 'https://acme.rest.vitally.io', true],
    ['ally.io', 'https://acme.rest.vitally.io', false],
    ['example.com, acme.rest.vitally.io', 'https://acme.rest.vitally.io', true],
    ['127.0.0.1', 'http://127.0.0.1:4010', true],
    ['127.0.0.1:4010', 'http://127.0.0.1:4010', true],
    ['127.0.0.1:9999', 'http://127.0.0.1:4010', false],
    ['vitally.io:443', 'https://acme.rest.vitally.io', true],
    ['VITALLY.IO', 'https://acme.rest.vitally.io', true],
    ['', 'https://acme.rest.vitally.io', false],
  ] as const)('NO_PROXY %j for %s: direct = %s', (noProxy, target, direct) => {
    expect(bypassed(new URL(target), noProxy)).toBe(direct);
    expect(via(target, { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1', NO_PROXY: noProxy })).toBe(direct ? null : 'http://p:1');
  });

  it('a proxy that is not a URL, or not an http(s) proxy, is a configuration error with its own code', () => {
    expect(() => proxySettings({ HTTPS_PROXY: 'http://[::1' })).toThrow(ConfigError);
    expect(() => proxySettings({ HTTPS_PROXY: 'http://[::1' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID_PROXY', message: expect.stringContaining('HTTPS_PROXY is not a URL') }),
    );
    expect(() => proxySettings({ HTTP_PROXY: 'socks5://p:1080' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID_PROXY', message: expect.stringContaining('socks5:// proxy is not supported') }),
    );
  });

  it("a proxy's password is a secret: shown as ***, and listed with its user:password credential", () => {
    const p = proxySettings({ HTTPS_PROXY: 'http://etl:s3cr%40t-pass@proxy.corp:3128' });
    expect(p.https!.shown).toBe('http://etl:***@proxy.corp:3128/');
    expect(p.https!.shown).not.toContain('s3cr');
    expect(p.secrets).toEqual(expect.arrayContaining(['s3cr@t-pass', 's3cr%40t-pass', 'etl:s3cr@t-pass']));
    expect(proxySecrets({ HTTP_PROXY: 'http://u:hunter22@p:1', HTTPS_PROXY: 'not a url at all [' })).toContain('hunter22');
  });

  it('doctor says which proxy a host goes through, or why none', () => {
    const p = proxySettings({ HTTPS_PROXY: 'http://u:hunter22@proxy.corp:3128', NO_PROXY: 'internal.corp' });
    expect(describeProxy('https://acme.rest.vitally.io', p)).toBe('http://u:***@proxy.corp:3128/ (HTTPS_PROXY) for https://acme.rest.vitally.io');
    expect(describeProxy('https://api.internal.corp', p)).toBe('none for https://api.internal.corp: NO_PROXY names its host');
    expect(describeProxy('http://127.0.0.1:4010', p)).toBe('none for http://127.0.0.1:4010 (HTTP_PROXY is not set)');
  });
});
