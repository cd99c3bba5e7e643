import { describe, expect, it } from 'vitest';
import { converterFor, conversionText, kindOf } from '../../src/schema/types.js';

const conv = (type: string, options?: string[]) => converterFor({ type, ...(options ? { options } : {}) })!;

describe("Vitally's trait types", () => {
  it('are matched loosely: case and separators ignored, several spellings', () => {
    expect(['number', 'Currency', 'integer'].map(kindOf)).toEqual(['number', 'number', 'number']);
    expect(['datetime', 'date-time', 'DATE_TIME', 'date'].map(kindOf)).toEqual(['datetime', 'datetime', 'datetime', 'date']);
    expect(['picklist', 'multiPicklist', 'multi-select', 'textarea', 'checkbox'].map(kindOf)).toEqual(['picklist', 'multi', 'multi', 'string', 'boolean']);
    expect(kindOf('geo-point')).toBe('unknown');
    expect(converterFor({ type: 'geo-point' })).toBeUndefined();
    expect(conversionText({ type: 'geo-point' })).toContain('as read');
  });

  it('convert CSV text into the type, or say why not', () => {
    expect(conv('number').convert(' 12.5 ', ';')).toEqual({ ok: true, value: 12.5 });
    expect(conv('number').convert('1,000', ';')).toEqual({
      ok: false,
      reason: '"1,000" is not a number: its comma is a decimal comma (--decimal-comma reads it as 1) or a thousands separator (take it out of the export)',
    });
    expect(conv('boolean').convert('Yes', ';')).toEqual({ ok: true, value: true });
    expect(conv('date').convert('2026-11-20T23:30:00Z', ';')).toEqual({ ok: true, value: '2026-11-20' });
    expect(conv('datetime').convert('2026-11-20', ';')).toEqual({ ok: true, value: '2026-11-20T00:00:00.000Z' });
    expect(conv('textarea').convert('12', ';')).toEqual({ ok: true, value: '12' });
  });

  it("check picklists against their options, sending the option's own spelling", () => {
    const plan = conv('picklist', ['Starter', 'Growth']);
    expect(plan.typeName).toBe('picklist');
    expect(plan.convert(' growth ', ';')).toEqual({ ok: true, value: 'Growth' });
    expect(plan.convert('Gold', ';')).toEqual({ ok: false, reason: '"Gold" is not one of its options (Starter, Growth)' });
    expect(conv('picklist').convert('anything', ';')).toEqual({ ok: true, value: 'anything' });
  });

  it('split multi-values by the list separator and check each', () => {
    const regions = conv('multiPicklist', ['EMEA', 'AMER']);
    expect(regions.convert('emea; AMER;', ';')).toEqual({ ok: true, value: ['EMEA', 'AMER'] });
    expect(regions.convert(['EMEA'], ';')).toEqual({ ok: true, value: ['EMEA'] });
    expect(regions.convert('EMEA;Mars', ';')).toEqual({ ok: false, reason: '"Mars" is not one of its options (EMEA, AMER)' });
    expect(conv('multiselect').convert('a|b', '|')).toEqual({ ok: true, value: ['a', 'b'] });
  });
});
