// @vitest-environment jsdom
import { hashForSchema, type RJSFSchema } from '@rjsf/utils';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { fieldBlock, itemPageWrapper, L, StandaloneItemForm, testValidatorModule } from './formTesting';
import { importValidatorModule } from './importValidatorModule';

// How the form gets its validator: the module of the version the page shows, imported from the API.
vi.mock('./importValidatorModule', () => ({ importValidatorModule: vi.fn() }));
const importModule = vi.mocked(importValidatorModule);
// In braces: mockReset returns the mock, and a function beforeEach returns runs as the test's teardown.
beforeEach(() => {
  importModule.mockReset();
});

describe("ItemForm's validator module", () => {
  const small = { type: 'object', required: ['name'], properties: { name: { type: 'string', title: 'Name', pattern: '^[a-z]+$' } } };
  const renderSmall = (onSubmit = vi.fn()) => {
    render(<StandaloneItemForm schema={small} uiSchema={{}} onSubmit={onSubmit} />, { wrapper: itemPageWrapper(small) });
    return onSubmit;
  };

  test("shows the form's loading state until the module of the concrete version has loaded", async () => {
    let resolve!: (module: unknown) => void;
    importModule.mockReturnValue(new Promise((r) => (resolve = r)));
    renderSmall();
    expect((await screen.findByRole('status')).textContent).toContain('Loading the form');
    expect(screen.queryByLabelText(L('Name'))).toBeNull();
    // The page asked for `latest`; the module is fetched for the version that is, never as `latest`.
    expect(importModule).toHaveBeenCalledWith('/api/catalog/db/1.2.0/validator.js');

    resolve(testValidatorModule(small));
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(L('Name')), 'X');
    await waitFor(() => expect(within(fieldBlock('Name')).getByTestId('field-errors').textContent).toMatch(/Name doesn't match the expected format/));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  test('says so when the module cannot be loaded, and leaves the checks to the server on submit', async () => {
    importModule.mockImplementation(async () => {
      throw new TypeError('Failed to fetch dynamically imported module');
    });
    const onSubmit = renderSmall();
    expect((await screen.findByRole('alert')).textContent).toMatch(/checks could not be loaded \(Failed to fetch dynamically imported module\).*server still checks every input/);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(L('Name')), 'NOT valid');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ name: 'NOT valid' }));
  });

  test('keeps working when RJSF asks about a schema the module has no check for', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const branching: Record<string, unknown> = {
      type: 'object',
      properties: { engine: { type: 'string', title: 'Engine', enum: ['postgres', 'mysql'], default: 'postgres' } },
      dependencies: {
        engine: {
          oneOf: [
            { properties: { engine: { enum: ['postgres'] }, extensions: { type: 'string', title: 'Extensions', default: 'pgcrypto' } } },
            { properties: { engine: { enum: ['mysql'] }, characterSet: { type: 'string', title: 'Character set', default: 'utf8mb4' } } },
          ],
        },
      },
    };
    // Only the root's check: every branch RJSF weighs on submit is one the module did not foresee.
    const rootKey = hashForSchema(branching as RJSFSchema);
    importModule.mockResolvedValue({ default: { [rootKey]: testValidatorModule(branching).default[rootKey]! } });
    const onSubmit = vi.fn();
    render(<StandaloneItemForm schema={branching} uiSchema={{}} onSubmit={onSubmit} />, { wrapper: itemPageWrapper(branching) });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/no precompiled check/), expect.any(Error));
    warn.mockRestore();
  });

  test('refuses a module built for another schema rather than validating against the wrong rules', async () => {
    importModule.mockResolvedValue(testValidatorModule({ ...small, required: [] }));
    renderSmall();
    expect((await screen.findByRole('alert')).textContent).toMatch(/No precompiled validator function was found/);
  });
});
