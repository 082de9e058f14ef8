// @vitest-environment jsdom
import type { Problem } from '@shelf/contract';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { fieldBlock, itemPageWrapper, L, StandaloneItemForm, testValidatorModule } from './formTesting';
import { importValidatorModule } from './importValidatorModule';

// There is no API to import validator.js from: each test hands the form a module built from its schema.
vi.mock('./importValidatorModule', () => ({ importValidatorModule: vi.fn() }));
const importModule = vi.mocked(importValidatorModule);
// In braces: mockReset returns the mock, and a function beforeEach returns runs as the test's teardown.
beforeEach(() => {
  importModule.mockReset();
});

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['name', 'engine', 'backups'],
  properties: {
    name: { type: 'string', title: 'Database name', pattern: '^[a-z][a-z0-9_]{2,39}$', default: 'orders' },
    size: { type: 'integer', title: 'Storage (GiB)', minimum: 20, maximum: 2000, default: 50 },
    environment: { type: 'string', title: 'Environment', enum: ['dev', 'prod'], default: 'dev' },
    engine: { type: 'string', title: 'Engine', enum: ['postgres', 'mysql'], default: 'postgres' },
    backups: { type: 'boolean', title: 'Automated backups', default: true },
    users: {
      type: 'array',
      title: 'Additional users',
      default: [],
      items: { type: 'object', required: ['username'], properties: { username: { type: 'string', title: 'Username', minLength: 2 } } },
    },
  },
  dependencies: {
    engine: {
      oneOf: [
        { properties: { engine: { enum: ['postgres'] }, engineVersion: { type: 'string', title: 'PostgreSQL version', enum: ['17', '16'], default: '16' } } },
        { properties: { engine: { enum: ['mysql'] }, characterSet: { type: 'string', title: 'Character set', enum: ['utf8mb4', 'latin1'], default: 'utf8mb4' } } },
      ],
    },
  },
  allOf: [
    {
      if: { properties: { backups: { const: true } }, required: ['backups'] },
      then: { properties: { retentionDays: { type: 'integer', title: 'Backup retention (days)', minimum: 1, maximum: 35, default: 7 } } },
      else: {
        properties: { acceptNoBackups: { type: 'boolean', title: 'I understand this database has no backups', enum: [true] } },
        required: ['acceptNoBackups'],
      },
    },
  ],
};

const uiSchema = {
  name: { 'ui:help': 'Lowercase letters, digits and underscores.' },
  engine: { 'ui:widget': 'radio', 'ui:enumNames': ['PostgreSQL', 'MySQL'] },
  size: { 'ui:widget': 'range' },
};

/** Renders the form once its validator module has loaded. */
async function renderForm(
  props: {
    serverProblems?: Problem[];
    onSubmit?: (inputs: Record<string, unknown>) => void | Promise<boolean>;
    schemaOverride?: Record<string, unknown>;
    uiSchemaOverride?: Record<string, unknown>;
  } = {},
) {
  const onSubmit = props.onSubmit ?? vi.fn();
  const formSchema = props.schemaOverride ?? schema;
  importModule.mockImplementation(async () => testValidatorModule(formSchema));
  const view = render(<StandaloneItemForm schema={formSchema} uiSchema={props.uiSchemaOverride ?? uiSchema} onSubmit={onSubmit} serverProblems={props.serverProblems} />, {
    wrapper: itemPageWrapper(formSchema),
  });
  await screen.findByRole('button', { name: 'Run' });
  return { ...view, onSubmit };
}

describe('ItemForm', () => {
  test('renders every field of the schema with its default, help text, enum options and widget', async () => {
    await renderForm();
    expect(screen.getByLabelText<HTMLInputElement>(L('Database name')).value).toBe('orders');
    expect(screen.getByText('Lowercase letters, digits and underscores.')).toBeTruthy();
    const slider = screen.getByLabelText<HTMLInputElement>(L('Storage (GiB)'));
    expect(slider.type).toBe('range');
    expect(slider.value).toBe('50');
    expect(within(screen.getByLabelText(L('Environment'))).getAllByRole('option').map((o) => o.textContent)).toEqual(['dev', 'prod']);
    const engines = screen.getByRole('radiogroup', { name: 'Engine' });
    expect(within(engines).getByLabelText<HTMLInputElement>(L('PostgreSQL')).checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>(L('Automated backups')).checked).toBe(true);
  });

  test('shows conditional fields from dependencies/oneOf and if/then/else as the controlling values change', async () => {
    const user = userEvent.setup();
    await renderForm();
    expect(screen.getByLabelText(L('PostgreSQL version'))).toBeTruthy();
    expect(screen.queryByLabelText(L('Character set'))).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>(L('Backup retention (days)')).value).toBe('7');
    expect(screen.queryByLabelText(L('I understand this database has no backups'))).toBeNull();

    await user.click(screen.getByLabelText(L('MySQL')));
    expect(await screen.findByLabelText(L('Character set'))).toBeTruthy();
    expect(screen.queryByLabelText(L('PostgreSQL version'))).toBeNull();

    await user.click(screen.getByLabelText(L('Automated backups')));
    expect(await screen.findByLabelText(L('I understand this database has no backups'))).toBeTruthy();
    expect(screen.queryByLabelText(L('Backup retention (days)'))).toBeNull();
  });

  test('adds and removes array items', async () => {
    const user = userEvent.setup();
    await renderForm();
    expect(screen.queryByLabelText(L('Username'))).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Add' }));
    expect(await screen.findByLabelText(L('Username'))).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Remove item' }));
    await waitFor(() => expect(screen.queryByLabelText(L('Username'))).toBeNull());
  });

  test('validates as the user types, before any submit', async () => {
    const user = userEvent.setup();
    await renderForm();
    const name = screen.getByLabelText(L('Database name'));
    await user.clear(name);
    await user.type(name, 'Bad-Name');
    await waitFor(() => expect(within(fieldBlock('Database name')).getByTestId('field-errors').textContent).toMatch(/Database name doesn't match the expected format/));
    expect(name.getAttribute('aria-invalid')).toBe('true');

    await user.clear(name);
    await user.type(name, 'good_name');
    await waitFor(() => expect(within(fieldBlock('Database name')).queryByTestId('field-errors')).toBeNull());
  });

  test('reports a missing required field only once the user has visited it or tried to submit', async () => {
    const user = userEvent.setup();
    await renderForm({
      schemaOverride: {
        type: 'object',
        required: ['team', 'owner'],
        properties: { team: { type: 'string', title: 'Team', minLength: 2 }, owner: { type: 'string', title: 'Owner' } },
      },
    });
    await user.type(screen.getByLabelText(L('Team')), 'x');
    await waitFor(() => expect(within(fieldBlock('Team')).getByTestId('field-errors').textContent).toMatch(/Team must be at least 2 characters/));
    expect(within(fieldBlock('Owner')).queryByTestId('field-errors')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(within(fieldBlock('Owner')).getByTestId('field-errors').textContent).toMatch(/required/));
  });

  test("replaces a choice the new branch does not offer with that branch's default", async () => {
    const user = userEvent.setup();
    const versions = (values: string[], def: string) => ({ type: 'string', title: 'Version', enum: values, default: def });
    const { onSubmit } = await renderForm({
      schemaOverride: {
        type: 'object',
        properties: { engine: { type: 'string', title: 'Engine', enum: ['postgres', 'mysql'], default: 'postgres' } },
        dependencies: {
          engine: {
            oneOf: [
              { properties: { engine: { enum: ['postgres'] }, engineVersion: versions(['17', '16'], '16') } },
              { properties: { engine: { enum: ['mysql'] }, engineVersion: versions(['8.4', '8.0'], '8.4') } },
            ],
          },
        },
      },
    });
    await user.selectOptions(screen.getByLabelText(L('Version')), '17');
    await user.click(screen.getByLabelText('MySQL'));
    await waitFor(() => expect(screen.getByLabelText<HTMLSelectElement>(L('Version')).selectedOptions[0]?.textContent).toBe('8.4'));
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ engine: 'mysql', engineVersion: '8.4' }));
  });

  test('submits the inputs, without the fields of branches that are not shown', async () => {
    const user = userEvent.setup();
    const { onSubmit } = await renderForm();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(1));
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'orders',
      size: 50,
      environment: 'dev',
      engine: 'postgres',
      engineVersion: '16',
      backups: true,
      retentionDays: 7,
      users: [],
    });
  });

  test('blocks an invalid submit and lists the errors, required ones included', async () => {
    const user = userEvent.setup();
    const { onSubmit } = await renderForm();
    await user.click(screen.getByLabelText(L('Automated backups')));
    // RJSF would tick a one-value enum by itself; an acknowledgement must be ticked by hand.
    expect(screen.getByLabelText<HTMLInputElement>(L('I understand this database has no backups')).checked).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Run' }));
    const summary = await screen.findByText(/Please fix/);
    expect(summary.closest('[role="alert"]')?.textContent).toMatch(/acceptNoBackups|no backups/);
    expect(onSubmit).not.toHaveBeenCalled();
  });

  test("maps the server's 422 problems onto their fields until the user changes them", async () => {
    const user = userEvent.setup();
    const problems: Problem[] = [
      { file: 'inputs', path: '/name', message: 'a database named orders already exists' },
      { file: 'inputs', path: '/size', message: 'over the team quota' },
    ];
    const { rerender, onSubmit } = await renderForm();
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(onSubmit).toHaveBeenCalled());
    rerender(<StandaloneItemForm schema={schema} uiSchema={uiSchema} onSubmit={onSubmit} serverProblems={problems} />);

    expect(within(fieldBlock('Database name')).getByText('a database named orders already exists')).toBeTruthy();
    expect(within(fieldBlock('Storage (GiB)')).getByText('over the team quota')).toBeTruthy();

    await user.type(screen.getByLabelText(L('Database name')), '_v2');
    await waitFor(() => expect(screen.queryByText('a database named orders already exists')).toBeNull());
    expect(screen.getByText('over the team quota')).toBeTruthy();
  });

  test('validates draft 2020-12 schemas too', async () => {
    const user = userEvent.setup();
    await renderForm({
      schemaOverride: {
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
        properties: { email: { type: 'string', title: 'Email', format: 'email' } },
      },
    });
    await user.type(screen.getByLabelText(L('Email')), 'not-an-email');
    await waitFor(() => expect(within(fieldBlock('Email')).getByTestId('field-errors').textContent).toBe('Email must be an email address'));
  });

  test('renders titles and descriptions from the schema as text, never as HTML', async () => {
    const { container } = await renderForm({
      schemaOverride: {
        type: 'object',
        properties: { x: { type: 'string', title: '<img src=x onerror=alert(1)>', description: '<script>alert(2)</script>' } },
      },
    });
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByLabelText(L('<img src=x onerror=alert(1)>'))).toBeTruthy();
  });

  describe('secret inputs (writeOnly)', () => {
    const secretSchema = {
      type: 'object',
      required: ['user', 'password'],
      properties: {
        user: { type: 'string', title: 'User' },
        password: { type: 'string', title: 'Admin password', writeOnly: true, minLength: 4 },
        note: { type: 'string', title: 'Private note', writeOnly: true },
      },
    };
    // An item's uiSchema cannot turn a secret into a plain text box or a textarea.
    const secretUi = { password: { 'ui:widget': 'text' }, note: { 'ui:widget': 'textarea', 'ui:options': { widget: 'textarea' } } };

    test('are password fields with a show/hide toggle and a secret note, whatever the uiSchema asks for', async () => {
      const user = userEvent.setup();
      await renderForm({ schemaOverride: secretSchema, uiSchemaOverride: secretUi });
      const password = screen.getByLabelText<HTMLInputElement>(L('Admin password'));
      expect(password.tagName).toBe('INPUT');
      expect(password.type).toBe('password');
      expect(password.getAttribute('autocomplete')).toBe('new-password');
      expect(password.getAttribute('spellcheck')).toBe('false');
      expect(screen.getByLabelText<HTMLInputElement>(L('Private note')).type).toBe('password');

      const block = fieldBlock('Admin password');
      const note = within(block).getByText(/Encrypted at rest, masked in logs; never shown again\./);
      expect(password.getAttribute('aria-describedby')?.split(' ')).toContain(note.id);

      await user.type(password, 's3cret!');
      const toggle = within(block).getByRole('button', { name: 'Show' });
      expect(toggle.getAttribute('aria-pressed')).toBe('false');
      expect(toggle.getAttribute('aria-controls')).toBe(password.id);
      await user.click(toggle);
      expect(password.type).toBe('text');
      expect(password.value).toBe('s3cret!');
      expect(toggle.textContent).toBe('Hide');
      expect(toggle.getAttribute('aria-pressed')).toBe('true');
      // From the keyboard too: the toggle is a real button.
      toggle.focus();
      await user.keyboard('{Enter}');
      expect(password.type).toBe('password');
      expect(toggle.textContent).toBe('Show');
      await user.keyboard(' ');
      expect(password.type).toBe('text');
    });

    test('are emptied, with the whole form, once the server took the inputs, and kept while it refuses them', async () => {
      const user = userEvent.setup();
      const onSubmit = vi.fn<(inputs: Record<string, unknown>) => Promise<boolean>>().mockResolvedValueOnce(false).mockResolvedValueOnce(true);
      await renderForm({ schemaOverride: secretSchema, onSubmit });
      await user.type(screen.getByLabelText(L('User')), 'ada');
      await user.type(screen.getByLabelText(L('Admin password')), 's3cret!');

      await user.click(screen.getByRole('button', { name: 'Run' }));
      await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ user: 'ada', password: 's3cret!' }));
      expect(screen.getByLabelText<HTMLInputElement>(L('Admin password')).value).toBe('s3cret!');

      await user.click(screen.getByRole('button', { name: 'Run' }));
      await waitFor(() => expect(onSubmit).toHaveBeenCalledTimes(2));
      await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(L('Admin password')).value).toBe(''));
      expect(screen.getByLabelText<HTMLInputElement>(L('User')).value).toBe('');
      // A fresh form: the emptied secret is not reported missing until the next submit.
      expect(screen.queryByText(/Please fix/)).toBeNull();
      expect(within(fieldBlock('Admin password')).queryByTestId('field-errors')).toBeNull();
    });
  });
});
