import { defineObject } from './define.js';

/** Organizations: keyed by externalId; only matter when organizations are enabled in the workspace. */
export const organization = defineObject({
  name: 'organization',
  path: '/resources/organizations',
  kind: 'keyed',
  key: 'externalId',
  fields: {
    externalId: { type: 'string', required: 'always', update: false, aliases: ['external id', 'id'] },
    name: { type: 'string', required: 'create' },
  },
  traits: true,
});
