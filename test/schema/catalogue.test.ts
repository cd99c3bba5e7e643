import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { getObject } from '../../src/objects/index.js';
import { fileFieldsFor, parseFields, readCatalogueFile } from '../../src/schema/catalogue.js';
import { tempDir, writeTemp } from '../helpers/cli.js';

describe('the catalogue', () => {
  it("reads Vitally's bare array (and a {results} wrapper), keeping path as the key and dropping entries without one", () => {
    const answer = [
      { label: 'Plan', path: 'vitally.custom.plan', type: 'picklist', options: ['A', { label: 'B', value: 'b' }], createdAt: '2026-01-01T00:00:00Z' },
      { label: 'No path', type: 'string' },
      { path: 'vitally.custom.bare' },
    ];
    const expected = [
      { label: 'Plan', key: 'vitally.custom.plan', type: 'picklist', options: ['A', 'b'], createdAt: '2026-01-01T00:00:00Z' },
      { label: 'vitally.custom.bare', key: 'vitally.custom.bare', type: 'unknown' },
    ];
    expect(parseFields(answer, 'GET x')).toEqual(expected);
    expect(parseFields({ results: answer }, 'GET x')).toEqual(expected);
    expect(() => parseFields({ error: 'nope' }, 'GET x')).toThrow('GET x: expected an array of custom fields [{label, path, type}], found an object');
  });

  it('reads a catalogue file (the sandbox format), by object, singular or plural model', () => {
    const entries = readCatalogueFile('fixtures/custom-fields.json');
    expect(fileFieldsFor(entries, getObject('account'), 'f').map((f) => f.key)).toContain('vitally.custom.plan');
    expect(fileFieldsFor(entries, getObject('user'), 'f').map((f) => f.key)).toEqual(['vitally.custom.role', 'vitally.custom.nps']);
    const dir = tempDir();
    const one = writeTemp(dir, 'one.json', '[{"model":"account","path":"x","type":"number"}]');
    expect(fileFieldsFor(readCatalogueFile(one), getObject('account'), one)).toEqual([{ label: 'x', key: 'x', type: 'number' }]);
    expect(() => readCatalogueFile(writeTemp(dir, 'bad.json', '{"a":1}'))).toThrow(ConfigError);
    expect(() => readCatalogueFile(writeTemp(dir, 'nomodel.json', '[{"path":"x","type":"number"}]'))).toThrow('entry 1 needs a "model" string');
    expect(() => readCatalogueFile(`${dir}/missing.json`)).toThrow('no such file');
  });
});
