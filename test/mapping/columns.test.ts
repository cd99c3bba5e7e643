/** The name table that push and init share, and what the first record's columns say (columns.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RowError } from '../../src/errors.js';
import { aliasNote, checkColumns } from '../../src/mapping/columns.js';
import { Mapper } from '../../src/mapping/mapper.js';
import { foreignLinks, nameTable, normalizeName } from '../../src/mapping/names.js';
import { getObject, objectNames } from '../../src/objects/index.js';
import { propose } from '../../src/schema/propose.js';

const account = getObject('account');
const user = getObject('user');
const conversation = getObject('conversation');

describe('the name table', () => {
  it('push and init place every name of every object the same way', () => {
    for (const name of objectNames()) {
      const spec = getObject(name);
      const columns = [...Object.keys(spec.fields), ...Object.keys(spec.refs), ...Object.values(spec.exportNames ?? {}).flat()];
      const mapper = new Mapper(spec);
      for (const column of columns) {
        const t = mapper.targetFor(column);
        const pushed = t.kind === 'field' || t.kind === 'ref' ? t.name : t.kind;
        // init, with values that are no Vitally ids (else a Vitally-id field stays a field, as push keeps it).
        const placed = propose({ spec, columns: [column], rows: [], known: [], haveCatalogue: false }).decisions[0]!.target;
        expect(`${name}: ${column} -> ${placed}`).toBe(`${name}: ${column} -> ${pushed}`);
      }
    }
  });

  it('keeps the first claim of a name: own names, then aliases, then the names exports use', () => {
    // "user id" is an export name of userExternalId on conversations, but userId is a field's own name.
    expect(nameTable(conversation).get(normalizeName('user id'))).toEqual({ kind: 'field', name: 'userId', how: 'name' });
    expect(nameTable(account).get('companyname')).toEqual({ kind: 'field', name: 'name', how: 'export' });
    expect(nameTable(account).get('id')).toEqual({ kind: 'field', name: 'externalId', how: 'alias' });
  });

  it("lists other objects' links that an object does not take, never its own", () => {
    expect(foreignLinks(conversation).get('accountexternalid')).toEqual(expect.arrayContaining(['user', 'note', 'task']));
    expect(foreignLinks(conversation).has('userexternalid')).toBe(false);
    expect(foreignLinks(user).has('accountexternalid')).toBe(false);
    expect(foreignLinks(getObject('event')).has('accountid')).toBe(false); // an event's own field
  });
});

describe('docs/mapping.md', () => {
  it('states the names exports use as the table holds them', () => {
    const page = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'mapping.md'), 'utf8');
    for (const o of objectNames()) {
      const spec = getObject(o);
      const table = nameTable(spec);
      for (const [target, names] of Object.entries(spec.exportNames ?? {})) {
        const kept = names.filter((n) => table.get(normalizeName(n))?.name === target && table.get(normalizeName(n))?.how === 'export');
        if (kept.length > 0) expect(page).toContain(`| ${o} | \`${target}\` | ${kept.map((n) => `\`${n}\``).join(', ')} |`);
      }
    }
  });
});

describe('checkColumns', () => {
  const check = (spec = account, columns: string[], mode = 'upsert') => checkColumns(new Mapper(spec), spec, columns, { mode, constants: [] });

  it('refuses two columns for one single field, and lets list fields add up', () => {
    expect(check(user, ['externalId', 'Email', 'E-mail']).refusal).toBe(
      'columns "Email" and "E-mail" both fill email: keep one (--ignore "E-mail"), or map the other elsewhere (--map "E-mail=traits.<name>")',
    );
    expect(check(user, ['externalId', 'accountId', 'accountIds', 'accountExternalId']).refusal).toBeUndefined();
  });

  it('refuses a link of another object type', () => {
    expect(check(conversation, ['accountExternalId', 'userExternalId', 'body']).refusal).toMatch(/^column "accountExternalId": conversations take no/);
  });

  it('warns of a needed field a column seems to hold, only where the mode needs it', () => {
    expect(check(account, ['externalId', 'Acct Name']).warnings).toEqual([expect.stringContaining('column "Acct Name" may hold it: --map "Acct Name=name"')]);
    expect(check(account, ['externalId', 'Acct Name'], 'update').warnings).toEqual([]);
    expect(check(account, ['externalId', 'Plan']).warnings).toEqual([]);
    // A reference's name maps to the reference: a user's account by "Customer No".
    expect(check(user, ['externalId', 'Customer Id Number']).warnings).toEqual([expect.stringContaining('--map "Customer Id Number=accountExternalId"')]);
  });

  it('names the columns matched by an alias or an export name, not by their own', () => {
    const m = new Mapper(account);
    m.map({ id: 'a', 'Company Name': 'A', plan: 'x' });
    expect(aliasNote(m)).toBe(
      'columns matched by their common names (docs/mapping.md): "id" -> externalId, "Company Name" -> name; --map a column to send it elsewhere',
    );
    const own = new Mapper(account);
    own.map({ External_ID: 'a', NAME: 'A' });
    expect(aliasNote(own)).toBeUndefined();
  });
});

describe('a row with two values for one field', () => {
  it('fails, whichever comes first; an empty one is no value', () => {
    const m = new Mapper(user);
    expect(() => m.map({ externalId: 'u', email: 'a@x', 'e-mail': 'b@x' })).toThrow(RowError);
    expect(m.map({ externalId: 'u', email: '', 'e-mail': 'b@x' }).record.email).toBe('b@x');
  });
});
