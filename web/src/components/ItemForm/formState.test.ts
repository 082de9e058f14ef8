import { createSchemaUtils, type RJSFSchema } from '@rjsf/utils';
import validator from '@rjsf/validator-ajv8';
import { describe, expect, test } from 'vitest';
import { defaultsBehavior, initialInputs, markEnterAgain, withDefaults } from './formState';

describe('form state', () => {
  const utils = createSchemaUtils(
    validator,
    {
      type: 'object',
      properties: { backups: { type: 'boolean', default: true }, size: { type: 'integer', default: 20 } },
      if: { properties: { backups: { const: true } } },
      then: { properties: { retentionDays: { type: 'integer', default: 7 } } },
    } as RJSFSchema,
    defaultsBehavior,
  );

  test("withDefaults fills the schema's defaults around the given data, branches a default selects included", () => {
    expect(initialInputs(utils)).toEqual({ backups: true, size: 20, retentionDays: 7 });
    expect(withDefaults(utils, { size: 50 })).toEqual({ backups: true, size: 50, retentionDays: 7 });
    expect(withDefaults(utils, { backups: false })).toEqual({ backups: false, size: 20 });
  });

  test('markEnterAgain marks secret fields in a copy of the uiSchema, list items through `items`', () => {
    const uiSchema = { password: { 'ui:help': 'the admin one' } };
    const marked = markEnterAgain(uiSchema, ['/password', '/servers/0/key', '/a~1b']);
    expect(marked).toEqual({
      password: { 'ui:help': 'the admin one', 'ui:options': { enterAgain: true } },
      servers: { items: { key: { 'ui:options': { enterAgain: true } } } },
      'a/b': { 'ui:options': { enterAgain: true } },
    });
    expect(uiSchema).toEqual({ password: { 'ui:help': 'the admin one' } });
    expect(markEnterAgain(uiSchema, [])).toBe(uiSchema);
  });
});
