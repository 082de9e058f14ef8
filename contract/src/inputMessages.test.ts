import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldLabel, fieldTitle, inputErrorMessage, inputProblems } from './inputMessages.js';
import { compileInputSchema } from './schemaCompiler.js';

const provisionDatabase = JSON.parse(readFileSync(new URL('../../catalog-examples/provision-database/schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

function problemsOf(schema: Record<string, unknown>, inputs: unknown) {
  const compiled = compileInputSchema(schema);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  expect(compiled.validate(inputs)).toBe(false);
  return inputProblems(schema, compiled.validate.errors ?? []);
}

describe('inputErrorMessage', () => {
  it.each([
    [{ keyword: 'pattern', params: { pattern: '^x$' } }, 'Backup window doesn\'t match the expected format'],
    [{ keyword: 'enum', params: { allowedValues: ['dev', 'staging', 'prod'] } }, 'Backup window must be one of: dev, staging, prod'],
    [{ keyword: 'enum', params: { allowedValues: [true] } }, 'Backup window must be true'],
    [{ keyword: 'minimum', params: { limit: 10, comparison: '>=' } }, 'Backup window must be at least 10'],
    [{ keyword: 'maximum', params: { limit: 10, comparison: '<=' } }, 'Backup window must be at most 10'],
    [{ keyword: 'minLength', params: { limit: 12 } }, 'Backup window must be at least 12 characters'],
    [{ keyword: 'format', params: { format: 'email' } }, 'Backup window must be an email address'],
    [{ keyword: 'type', params: { type: 'integer' } }, 'Backup window must be a whole number'],
    [{ keyword: 'required', params: { missingProperty: 'x' } }, 'Backup window is required'],
    [{ keyword: 'someKeyword', params: {}, message: 'must be odd' }, 'Backup window must be odd'],
  ])('%j', (error, message) => {
    expect(inputErrorMessage(error, 'Backup window')).toBe(message);
  });
});

describe('fieldTitle', () => {
  it('finds titles in properties, if/then branches, dependencies and list items', () => {
    expect(fieldTitle(provisionDatabase, '/storageGb')).toBe('Storage (GiB)');
    expect(fieldTitle(provisionDatabase, '/backupWindow')).toBe('Backup window (UTC)');
    expect(fieldTitle(provisionDatabase, '/acceptNoBackups')).toBe('I understand this database has no backups');
    expect(fieldTitle(provisionDatabase, '/engineVersion')).toBe('PostgreSQL version');
    expect(fieldTitle(provisionDatabase, '/users/0/username')).toBe('Username');
    expect(fieldTitle({ $defs: { n: { type: 'string', title: 'Name' } }, properties: { a: { $ref: '#/$defs/n' } } }, '/a')).toBe('Name');
    expect(fieldTitle(provisionDatabase, '/nope')).toBeUndefined();
    expect(fieldLabel(provisionDatabase, '/nope')).toBe('nope');
  });
});

describe('inputProblems (the 422 of POST /api/jobs)', () => {
  it("names each field by its title and leaves out ajv's `if` errors", () => {
    const problems = problemsOf(provisionDatabase, {
      name: 'orders',
      team: 'payments',
      ownerEmail: 'lead@example.com',
      ownerPassword: 'correct horse battery',
      environment: 'prod',
      engine: 'postgres',
      size: 'small',
      storageGb: 10,
      highAvailability: false,
      backups: false,
      backupWindow: '2am',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: '/storageGb', message: 'Storage (GiB) must be at least 20' },
        { path: '/backups', message: 'Automated backups must be true' },
        { path: '/acceptNoBackups', message: 'I understand this database has no backups is required' },
      ]),
    );
    expect(problems.some((p) => /must match "(then|else)" schema/.test(p.message))).toBe(false);
  });
});
