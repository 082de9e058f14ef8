import { createSchemaUtils, type RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { SECRET_MASK } from '@shelf/contract';
import { describe, expect, test } from 'vitest';
import { dropSecrets, dropStandIns, maskSecrets, redactSecrets, secretPointers, standInPointers } from './secretFields';

const schema = {
  type: 'object',
  definitions: { key: { type: 'string', writeOnly: true } },
  properties: {
    name: { type: 'string' },
    ownerPassword: { type: 'string', writeOnly: true },
    servers: { type: 'array', items: { type: 'object', properties: { host: { type: 'string' }, key: { $ref: '#/definitions/key' } } } },
    auth: {
      oneOf: [
        { type: 'object', properties: { kind: { const: 'token' }, token: { type: 'string', writeOnly: true } } },
        { type: 'object', properties: { kind: { const: 'none' } } },
      ],
    },
    labels: { type: 'object', patternProperties: { '^secret_': { type: 'string', writeOnly: true } }, additionalProperties: { type: 'string' } },
  },
  if: { properties: { name: { const: 'prod' } } },
  then: { properties: { approvalCode: { type: 'string', writeOnly: true } } },
};
const utils = createSchemaUtils(validator, schema as RJSFSchema);

const inputs = {
  name: 'prod',
  ownerPassword: 'hunter22',
  servers: [{ host: 'a', key: 'k-a' }, { host: 'b' }],
  auth: { kind: 'token', token: 't0k3n' },
  labels: { secret_x: 'xx', team: 'dba' },
  approvalCode: '4242',
};

describe('secret fields', () => {
  test('are found as the form sees them: refs, list items, every oneOf option, patterns, if/then', () => {
    expect(secretPointers(utils, inputs).sort()).toEqual(['/approvalCode', '/auth/token', '/labels/secret_x', '/ownerPassword', '/servers/0/key'].sort());
    // The `then` branch applies only when its condition holds.
    expect(secretPointers(utils, { ...inputs, name: 'dev' })).not.toContain('/approvalCode');
  });

  test('become placeholders in what is copied or downloaded, and are dropped from presets', () => {
    const redacted = redactSecrets(utils, inputs);
    expect(redacted).toEqual({
      name: 'prod',
      ownerPassword: '<secret: ownerPassword>',
      servers: [{ host: 'a', key: '<secret: servers/0/key>' }, { host: 'b' }],
      auth: { kind: 'token', token: '<secret: auth/token>' },
      labels: { secret_x: '<secret: labels/secret_x>', team: 'dba' },
      approvalCode: '<secret: approvalCode>',
    });
    expect(JSON.stringify(dropSecrets(utils, inputs))).not.toMatch(/hunter22|k-a|t0k3n|"xx"|4242/);
    expect(dropSecrets(utils, inputs).servers).toEqual([{ host: 'a' }, { host: 'b' }]);
    // The original is left alone.
    expect(inputs.ownerPassword).toBe('hunter22');
  });

  test('holding a mask or a placeholder are stand-ins, to be entered again; typed values are not', () => {
    const fromJob = { ...inputs, ownerPassword: SECRET_MASK, servers: [{ host: 'a', key: '<secret: servers/0/key>' }] };
    expect(standInPointers(utils, fromJob).sort()).toEqual(['/ownerPassword', '/servers/0/key']);
    const { ownerPassword: _typedAgain, ...others } = inputs;
    expect(dropStandIns(utils, fromJob)).toStrictEqual({ ...others, servers: [{ host: 'a' }] });
  });

  test('are masked as the API masks them, for comparing with a job', () => {
    expect(maskSecrets(utils, { name: 'dev', ownerPassword: 'hunter22' })).toEqual({ name: 'dev', ownerPassword: SECRET_MASK });
  });
});
