import { refuse } from './analytics.js';
import { defineObject, type Definition, type ObjectFamily, type ObjectSpec } from './define.js';

/**
 * Custom objects: `--object custom:<name>` (or `custom:<id>`) sends instances of a custom object
 * Vitally holds. Its definition (GET /resources/customObjects) gives the id in the paths and the
 * fields that type the traits; the spec is made from it once, before the run.
 *
 * Instances are keyed by externalId but addressed by Vitally's id: an upsert searches
 * `.../instances/search?externalId=`, then PUTs `.../instances/<id>` or, when none is found, POSTs.
 * `accountExternalId` / `organizationExternalId` link the instance (customerId / organizationId, Vitally
 * ids); every other column is a trait. Through the Analytics API (--via analytics) a row is a
 * `customobjectinstance` message keyed by the customer's own ids.
 */
export const customObjects: ObjectFamily = {
  prefix: 'custom',
  shown: 'custom:<name>',
  noun: 'custom object',
  listPath: '/resources/customObjects',
  spec: (def) => instances(def, true),
  standIn: (wanted) => instances({ id: `{{customObject:${wanted}}}`, name: wanted }, false),
};

function instances(def: Definition, resolved: boolean): ObjectSpec {
  const path = `/resources/customObjects/${resolved ? encodeURIComponent(def.id) : def.id}/instances`;
  return defineObject({
    name: `custom:${def.name}`,
    noun: `${def.name} instance`,
    path,
    kind: 'keyed',
    key: 'externalId',
    fields: {
      externalId: { type: 'string', required: 'always', update: false, aliases: ['external id', 'id'] },
      name: { type: 'string', required: 'create' },
      customerId: { type: 'string', nullable: true, aliases: ['accountId'], description: "the account's Vitally id" },
      organizationId: { type: 'string', nullable: true },
    },
    refs: {
      accountExternalId: { object: 'account', target: 'customerId', many: false },
      organizationExternalId: { object: 'organization', target: 'organizationId', many: false },
    },
    traits: true,
    ...(def.fields ? { knownTraits: def.fields } : {}),
    traitsModel: `customObjects&customObjectId=${encodeURIComponent(def.id)}`,
    scan: {},
    locate: (key) => ({ method: 'GET', path: `${path}/search?externalId=${encodeURIComponent(key)}` }),
    definition: { family: customObjects, wanted: def.name, resolved },
    exportNames: {
      externalId: ['instance id', 'external id', `${def.name} id`],
      name: ['instance name', 'title', `${def.name} name`],
      accountExternalId: ['account external id', 'account id', 'customer id', 'company id'],
      organizationExternalId: ['organization external id', 'org id', 'org external id'],
    },
    analytics: {
      phase: 'update',
      // The customer's own ids name the account and organization: no look-up needed.
      messages: (record, refs) => {
        for (const f of ['customerId', 'organizationId'] as const) {
          if (record[f] !== undefined)
            refuse(f, `holds a Vitally id; with --via analytics name it by ${f === 'customerId' ? 'accountExternalId' : 'organizationExternalId'}`);
        }
        const account = refs.accountExternalId?.[0];
        const org = refs.organizationExternalId?.[0];
        return [
          {
            type: 'customobjectinstance',
            customObjectId: def.id,
            externalId: record.externalId,
            ...(record.name !== undefined ? { name: record.name } : {}),
            ...(account ? { accountId: account } : {}),
            ...(org ? { organizationId: org } : {}),
            traits: record.traits ?? {},
          },
        ];
      },
    },
  });
}
