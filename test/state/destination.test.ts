import { describe, expect, it } from 'vitest';
import { destinationOf } from '../../src/state/destination.js';

describe('destinationOf', () => {
  it('a US tenant host names the workspace by itself', () => {
    expect(destinationOf('https://acme.rest.vitally.io', 'sk_a')).toBe('https://acme.rest.vitally.io');
    expect(destinationOf('https://acme.api.vitally.io', 'tok')).toBe('https://acme.api.vitally.io');
  });

  it('hosts without a tenant are told apart by the token, never showing it', () => {
    const a = destinationOf('https://rest.vitally-eu.io', 'sk_live_workspace_a');
    const b = destinationOf('https://rest.vitally-eu.io', 'sk_live_workspace_b');
    expect(a).toMatch(/^https:\/\/rest\.vitally-eu\.io#[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('workspace');
    expect(destinationOf('https://rest.vitally-eu.io', ' sk_live_workspace_a\n')).toBe(a);
  });
});
