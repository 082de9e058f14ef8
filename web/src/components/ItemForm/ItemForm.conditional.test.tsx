// @vitest-environment jsdom
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import schemaJson from '../../../../catalog-examples/provision-database/schema.json';
import uiJson from '../../../../catalog-examples/provision-database/ui-schema.json';
import { fieldBlock, itemPageWrapper, L, StandaloneItemForm, testValidatorModule } from './formTesting';
import { importValidatorModule } from './importValidatorModule';

// Issue 17, forms: the example item whose conditional schema lost input, human messages, the slider.
vi.mock('./importValidatorModule', () => ({ importValidatorModule: vi.fn() }));
const importModule = vi.mocked(importValidatorModule);
beforeEach(() => {
  importModule.mockReset();
});

const schema = schemaJson as Record<string, unknown>;
const uiSchema = uiJson as Record<string, unknown>;

async function renderForm(formSchema = schema, formUi = uiSchema) {
  const onSubmit = vi.fn();
  importModule.mockImplementation(async () => testValidatorModule(formSchema));
  render(<StandaloneItemForm schema={formSchema} uiSchema={formUi} onSubmit={onSubmit} />, { wrapper: itemPageWrapper(formSchema) });
  await screen.findByRole('button', { name: 'Run' });
  return { onSubmit, user: userEvent.setup() };
}

const value = (label: string) => screen.getByLabelText<HTMLInputElement>(L(label)).value;

describe('provision-database in production', () => {
  test('clicking the backups box (which production requires) keeps the retention and window the user typed, and submits', async () => {
    const { onSubmit, user } = await renderForm();
    await user.type(screen.getByLabelText(L('Database name')), 'orders');
    await user.type(screen.getByLabelText(L('Owning team')), 'payments');
    await user.type(screen.getByLabelText(L('Owner contact')), 'lead@example.com');
    await user.type(screen.getByLabelText(L('Owner password')), 'correct horse battery');
    await user.click(screen.getByLabelText('Production'));
    const retention = screen.getByLabelText(L('Backup retention (days)'));
    await user.clear(retention);
    await user.type(retention, '14');
    const window = screen.getByLabelText(L('Backup window (UTC)'));
    await user.clear(window);
    await user.type(window, '03:00-04:00');

    await user.click(screen.getByLabelText(L('Automated backups')));
    expect(screen.getByLabelText<HTMLInputElement>(L('Automated backups')).checked).toBe(true);
    expect(value('Backup retention (days)')).toBe('14');
    expect(value('Backup window (UTC)')).toBe('03:00-04:00');
    expect(screen.queryByLabelText(L('I understand this database has no backups'))).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    const inputs = onSubmit.mock.calls[0]![0] as Record<string, unknown>;
    expect(inputs).toMatchObject({ environment: 'prod', backups: true, retentionDays: 14, backupWindow: '03:00-04:00' });
    expect(inputs).not.toHaveProperty('acceptNoBackups');
  });

  test('outside production, unticking backups still asks for the acknowledgement, and ticking them again brings the fields back', async () => {
    const { user } = await renderForm();
    await user.click(screen.getByLabelText(L('Automated backups')));
    expect(screen.getByLabelText<HTMLInputElement>(L('I understand this database has no backups')).checked).toBe(false);
    expect(screen.queryByLabelText(L('Backup retention (days)'))).toBeNull();
    await user.click(screen.getByLabelText(L('Automated backups')));
    expect(value('Backup retention (days)')).toBe('7');
    expect(value('Backup window (UTC)')).toBe('02:00-03:00');
  });
});

describe('validation messages', () => {
  test("use the field's title, appear only once the field was changed or the form submitted, and the summary's links focus the field", async () => {
    const { onSubmit, user } = await renderForm();
    const window = screen.getByLabelText(L('Backup window (UTC)'));
    await user.clear(window);
    await user.type(window, '2am');
    await waitFor(() => expect(within(fieldBlock('Backup window (UTC)')).getByTestId('field-errors').textContent).toBe("Backup window (UTC) doesn't match the expected format"));
    // Untouched: nothing yet, though the name is required and empty (and the field has focus first).
    expect(within(fieldBlock('Database name')).queryByTestId('field-errors')).toBeNull();
    expect(screen.queryByText(/must match pattern|must be equal to/)).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Run' }));
    const summary = await screen.findByTestId('error-summary');
    expect(onSubmit).not.toHaveBeenCalled();
    const links = within(summary).getAllByRole('link');
    // In the order of the form: name, team, contact, password… then the window further down.
    expect(links.map((a) => a.textContent)).toEqual([
      'Database name is required',
      'Owning team is required',
      'Owner contact is required',
      'Owner password is required',
      "Backup window (UTC) doesn't match the expected format",
    ]);
    await user.click(links[4]!);
    expect(document.activeElement).toBe(screen.getByLabelText(L('Backup window (UTC)')));
    await user.click(links[1]!);
    expect(document.activeElement).toBe(screen.getByLabelText(L('Owning team')));
  });
});

describe('a slider', () => {
  const slider = { type: 'object', properties: { times: { type: 'integer', title: 'Times', minimum: 1, maximum: 10, default: 3 } } };
  const sliderUi = { times: { 'ui:widget': 'range' } };

  test('says when a value is past its end instead of showing it capped silently, and the value is refused, not changed', async () => {
    const onSubmit = vi.fn();
    importModule.mockImplementation(async () => testValidatorModule(slider));
    // A value from elsewhere (JSON, a preset, a re-run): the form holds 20, the slider can only show 10.
    function WithTwenty() {
      return <StandaloneItemForm schema={slider} uiSchema={sliderUi} onSubmit={onSubmit} start={{ times: 20 }} />;
    }
    render(<WithTwenty />, { wrapper: itemPageWrapper(slider) });
    await screen.findByRole('button', { name: 'Run' });
    const note = screen.getByTestId('range-capped');
    expect(note.textContent).toMatch(/The value is 20, more than the maximum, 10: the slider is capped at 10/);
    expect(screen.getByLabelText(L('Times')).getAttribute('aria-describedby')?.split(' ')).toContain(note.id);
    expect(within(fieldBlock('Times')).getByText('20')).toBeTruthy();
    await userEvent.setup().click(screen.getByRole('button', { name: 'Run' }));
    expect((await screen.findByTestId('error-summary')).textContent).toMatch(/Times must be at most 10/);
    expect(onSubmit).not.toHaveBeenCalled();
  });
});
