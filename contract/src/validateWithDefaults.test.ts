import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inputProblems } from './inputMessages.js';
import { compileInputSchema } from './schemaCompiler.js';
import { validateWithDefaults } from './validateWithDefaults.js';

const provisionDatabase = JSON.parse(readFileSync(new URL('../../catalog-examples/provision-database/schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function validator(schema: unknown) {
  const compiled = compileInputSchema(schema);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return compiled.validate;
}

const required = { name: 'orders', team: 'payments', ownerEmail: 'lead@example.com', ownerPassword: 'correct horse battery' };

describe('validateWithDefaults', () => {
  it("fills the defaults a branch needs before the branch is judged (provision-database's backups → retention)", () => {
    const validate = validator(provisionDatabase);
    // One plain ajv run judges `if backups` before `properties` fills backups in.
    expect(validate(structuredClone(required))).toBe(false);
    expect(validate.errors?.map((e) => e.params)).toContainEqual({ missingProperty: 'acceptNoBackups' });

    const inputs: Record<string, unknown> = structuredClone(required);
    expect(validateWithDefaults(validate, inputs), JSON.stringify(validate.errors)).toBe(true);
    expect(inputs).toMatchObject({ environment: 'dev', backups: true, retentionDays: 7, backupWindow: '02:00-03:00', storageGb: 50 });
    expect(inputs).not.toHaveProperty('acceptNoBackups');
  });

  it('applies the branch rules to the filled-in defaults: production keeps at least 7 days', () => {
    const validate = validator(provisionDatabase);
    const prod = { ...required, environment: 'prod', retentionDays: 3 };
    expect(validateWithDefaults(validate, prod)).toBe(false);
    expect(inputProblems(provisionDatabase, validate.errors ?? [])).toEqual([{ path: '/retentionDays', message: 'Backup retention (days) must be at least 7' }]);
    expect(validateWithDefaults(validate, { ...required, environment: 'prod' })).toBe(true);
  });

  it('leaves what the caller gave alone and still refuses it when wrong', () => {
    const validate = validator(provisionDatabase);
    const inputs = { ...required, backups: false };
    expect(validateWithDefaults(validate, inputs)).toBe(false);
    expect(inputs).not.toHaveProperty('retentionDays');
    expect(inputProblems(provisionDatabase, validate.errors ?? [])).toEqual([{ path: '/acceptNoBackups', message: 'I understand this database has no backups is required' }]);
  });
});
