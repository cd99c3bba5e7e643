import { describe, expect, it } from 'vitest';
import { RowError } from '../../src/errors.js';
import { customObjects } from '../../src/objects/custom-object.js';
import { getObject } from '../../src/objects/index.js';
import { buildBody, checkRow, planRow } from '../../src/plan/plan.js';
import { placeholder } from '../../src/plan/refs.js';

const account = getObject('account');
const user = getObject('user');
const organization = getObject('organization');

describe('planRow', () => {
  it('insert POSTs the create body', () => {
    const p = planRow(account, 'insert', { externalId: 'a 1', name: 'A', traits: { mrr: 1 } });
    expect(p.first).toEqual({ method: 'POST', path: '/resources/accounts', body: '{"externalId":"a 1","name":"A","traits":{"mrr":1}}' });
  });

  it('upsert PUTs by URL-encoded externalId without the key in the body, with the POST ready for a 404', () => {
    const p = planRow(account, 'upsert', { externalId: 'a/1 é', name: 'A' });
    expect(p.first).toEqual({ method: 'PUT', path: '/resources/accounts/a%2F1%20%C3%A9', body: '{"name":"A"}' });
    expect(p.create).toEqual({ method: 'POST', path: '/resources/accounts', body: '{"externalId":"a/1 é","name":"A"}' });
  });

  it('bodies are the text JSON.stringify gives for the same fields, whatever the values', () => {
    const odd = { toJSON: () => undefined };
    const record = {
      externalId: 'a',
      name: 'A "q" \u2028 é',
      organizationId: odd,
      traits: { n: -0, big: 1e21, d: new Date(0), nul: null, u: undefined, 2: 'two' },
    };
    const expected = (fields: string[]) =>
      JSON.stringify(Object.fromEntries([...fields.map((f) => [f, (record as Record<string, unknown>)[f]]), ['traits', record.traits]]));
    // One memo for both phases, as planRow shares it between an upsert's PUT and POST.
    const memo = Object.create(null) as Record<string, string>;
    const update = buildBody(account, record as never, 'update', memo);
    expect(update).toBe(expected(['name', 'organizationId']));
    expect(buildBody(account, record as never, 'create', memo)).toBe(expected(['externalId', 'name', 'organizationId']));
    expect(JSON.parse(update)).toEqual({ name: record.name, traits: { n: 0, big: 1e21, d: '1970-01-01T00:00:00.000Z', nul: null, 2: 'two' } });
  });

  it('upsert without a name may update, but says why it cannot create', () => {
    const p = planRow(account, 'upsert', { externalId: 'a', traits: { x: 1 } });
    expect(p.first.method).toBe('PUT');
    expect(p.create).toBeInstanceOf(RowError);
    expect((p.create as RowError).message).toBe('name: required to create an account');
  });

  it('update never plans a create', () => {
    const p = planRow(organization, 'update', { externalId: 'o', name: 'O' });
    expect(p.create).toBeUndefined();
  });

  it.each([
    ['account', 'insert', { name: 'A' }, 'externalId: required to create an account'],
    ['account', 'insert', { externalId: 'a' }, 'name: required to create an account'],
    ['account', 'update', { name: 'A' }, 'externalId: required'],
    ['organization', 'insert', { externalId: 'o' }, 'name: required to create an organization'],
    ['user', 'insert', { externalId: 'u' }, 'accountIds or organizationIds: at least one is required'],
    ['user', 'insert', { externalId: 'u', accountIds: [], organizationIds: [] }, 'accountIds or organizationIds: at least one is required'],
    ['user', 'insert', { externalId: 'u', accountIds: ['a'], joinDate: 'soon' }, 'joinDate: must be an ISO 8601 date-time'],
  ] as const)('%s %s %j fails: %s', (object, mode, record, message) => {
    expect(() => planRow(getObject(object), mode, record)).toThrowError(message);
  });

  it('user PUT may omit its accounts', () => {
    expect(planRow(user, 'update', { externalId: 'u', name: 'U' }).first.body).toBe('{"name":"U"}');
  });

  it('an account owner can only be cleared', () => {
    expect(planRow(account, 'update', { externalId: 'a', accountOwnerId: null }).first.body).toBe('{"accountOwnerId":null}');
    expect(() => planRow(account, 'update', { externalId: 'a', accountOwnerId: 'x' })).toThrowError(/can only be cleared/);
  });
});

describe('what a spec says beyond its fields', () => {
  const instances = customObjects.spec({ id: 'co 1', name: 'subscription' });

  it('a field the path names goes in the path, URL-encoded, and not in the body; a placeholder stays readable', () => {
    const message = getObject('message');
    const p = planRow(message, 'insert', { externalId: 'm-1', conversationId: 'c/1', body: 'Hi', userId: 'u' });
    expect(p.first).toEqual({
      method: 'POST',
      path: '/resources/conversations/c%2F1/messages',
      body: '{"externalId":"m-1","message":"Hi","from":{"type":"user","id":"u"}}',
    });
    const planned = checkRow(message, 'insert', { externalId: 'm-1', body: 'Hi', userId: 'u' }, { conversationExternalId: ['conv 1'] }).requests(placeholder);
    expect(planned.first.path).toBe('/resources/conversations/{{conversation:conv 1}}/messages');
  });

  it('records found by a search: upsert looks the key up and PUTs to the id found, with the create ready; insert POSTs', () => {
    const p = planRow(instances, 'upsert', { externalId: 'sub 1', name: 'S', traits: { seats: 3 } });
    expect(p.lookup).toEqual({ method: 'GET', path: '/resources/customObjects/co%201/instances/search?externalId=sub%201' });
    expect(p.lookingFor).toEqual({ field: 'externalId', value: 'sub 1', bareList: true });
    expect(p.first).toEqual({ method: 'PUT', path: '/resources/customObjects/co%201/instances/{{id}}', body: '{"name":"S","traits":{"seats":3}}' });
    expect(p.create).toEqual({
      method: 'POST',
      path: '/resources/customObjects/co%201/instances',
      body: '{"externalId":"sub 1","name":"S","traits":{"seats":3}}',
    });
    expect(planRow(instances, 'insert', { externalId: 'sub 1', name: 'S' }).lookup).toBeUndefined();
  });

  it('a record that exists gets what the spec says instead of a create (a conversation: its message appended)', () => {
    const conversation = getObject('conversation');
    const record = { externalId: 'conv-1', subject: 'S', body: 'More', userId: 'u', traits: { channel: 'email' } };
    const checked = checkRow(conversation, 'insert', record, {});
    expect(checked.requests(placeholder).first.path).toBe('/resources/conversations');
    const p = checked.requests(placeholder, 'id-9');
    expect(p.first).toEqual({
      method: 'POST',
      path: '/resources/conversations/id-9/messages',
      body: '{"externalId":"conv-1-1","message":"More","from":{"type":"user","id":"u"}}',
    });
    expect(p.existing).toEqual({ id: 'id-9', answerKey: 'conv-1-1' });
  });
});
