// @vitest-environment jsdom
import type { DescriptorAnswer } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import { currentLocation, mockFetch, renderPage, userOf } from '../test/render';
import ItemPage from './ItemPage';
import { testValidatorModule } from '../components/ItemForm/formTesting';
import { descriptor as item, versions } from './ItemPage.testing';

// No API to import the form's validator module from: hand the form one built from the schema it shows.
let formSchema: Record<string, unknown>;
vi.mock('../components/ItemForm/importValidatorModule', () => ({ importValidatorModule: vi.fn(async () => testValidatorModule(formSchema)) }));
beforeEach(() => {
  formSchema = descriptor.schema;
});

// The shared item, with a README that tries to run a script.
const descriptor: DescriptorAnswer = { ...item, readme: '# Hello\n\nSays hello. <img src=x onerror="window.pwned=1">' };

describe('ItemPage', () => {
  test('shows the README sanitized, maps a 422 onto the form, and opens the job after a successful submit', async () => {
    const user = userEvent.setup();
    let reject = true;
    const calls = mockFetch({
      'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
      'GET /api/catalog/hello-world/latest/descriptor': () => ({ body: descriptor }),
      'POST /api/jobs': () =>
        reject
          ? {
              status: 422,
              body: { error: { code: 'VALIDATION_FAILED', message: 'invalid inputs', details: { problems: [{ file: 'inputs', path: '/name', message: 'world is reserved' }] } } },
            }
          : { status: 202, body: { id: 'job-42' } },
    });
    const { container } = renderPage(<ItemPage />, { route: '/catalog/hello-world', path: '/catalog/:id' });

    expect(await screen.findByRole('heading', { level: 1, name: 'Hello World' })).toBeTruthy();
    expect(container.querySelector('.prose-readme h1')?.textContent).toBe('Hello');
    expect(container.querySelector('.prose-readme img')?.getAttribute('onerror')).toBeNull();
    expect(screen.getByLabelText<HTMLSelectElement>('Version').value).toBe('latest');

    await user.click(await screen.findByRole('button', { name: 'Run' }));
    const nameBlock = (await screen.findByText('world is reserved')).closest('.mb-5') as HTMLElement;
    expect(within(nameBlock).getByLabelText(/^Name/)).toBeTruthy();
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toEqual({
      itemId: 'hello-world',
      version: '1.2.0',
      inputs: { name: 'world', times: 3 },
    });

    reject = false;
    await user.clear(screen.getByLabelText(/^Name/));
    await user.type(screen.getByLabelText(/^Name/), 'shelf');
    await waitFor(() => expect(screen.queryByText('world is reserved')).toBeNull());
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(currentLocation()).toBe('/jobs/job-42'));
  });

  test('shows a missing item as an error', async () => {
    mockFetch({
      'GET /api/catalog/nope/versions': () => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'catalog item not found: nope' } } }),
      'GET /api/catalog/nope/latest/descriptor': () => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'catalog item not found: nope' } } }),
    });
    renderPage(<ItemPage />, { route: '/catalog/nope', path: '/catalog/:id' });
    expect((await screen.findByRole('alert')).textContent).toContain('catalog item not found: nope');
  });

  test.each([
    ['the item allows only some groups', userOf('runner'), { allowed: false, reason: 'only group:dba may run hello-world' }, 'Only group:dba may run hello-world.'],
    ['a viewer', userOf('viewer'), { allowed: true }, 'Running items and jobs needs the runner role; you are a viewer.'],
  ])('disables Run, saying why, when %s', async (_case, me, canRun, reason) => {
    mockFetch({
      'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
      'GET /api/catalog/hello-world/latest/descriptor': () => ({ body: { ...descriptor, canRun } }),
    });
    renderPage(<ItemPage />, { route: '/catalog/hello-world', path: '/catalog/:id', me });
    const run = await screen.findByRole<HTMLButtonElement>('button', { name: 'Run' });
    expect(run.disabled).toBe(true);
    expect(run.title).toBe(reason);
    expect(document.getElementById(run.getAttribute('aria-describedby')!)!.textContent).toContain(reason);
    // The form stays readable.
    expect(screen.getByLabelText(/^Name/)).toBeTruthy();
  });

  describe('an item with secrets', () => {
    const secretive: DescriptorAnswer = {
      ...descriptor,
      manifest: { ...descriptor.manifest, secrets: ['DB_ADMIN_PASSWORD', 'API_KEY'] },
      schema: {
        type: 'object',
        required: ['name', 'password'],
        properties: { name: { type: 'string', title: 'Name', default: 'world' }, password: { type: 'string', title: 'Admin password', writeOnly: true } },
      },
    };
    const secret = 'correct-horse-battery';

    test('names the secrets it uses and where the job finds them; an admin gets a link to manage them', async () => {
      formSchema = secretive.schema;
      mockFetch({
        'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
        'GET /api/catalog/hello-world/latest/descriptor': () => ({ body: secretive }),
      });
      renderPage(<ItemPage />, { route: '/catalog/hello-world', path: '/catalog/:id', me: userOf('admin') });
      const note = await screen.findByTestId('uses-secrets');
      expect(note.textContent).toContain('Uses secrets: DB_ADMIN_PASSWORD, API_KEY.');
      expect(note.textContent).toContain('/run/secrets/NAME');
      expect(within(note).getByRole('link', { name: 'Secrets page' }).getAttribute('href')).toBe('/admin/secrets');
    });

    test('sends a secret input once: it stays in no mutation, URL or web storage, and is not offered to runners to manage', async () => {
      formSchema = secretive.schema;
      const user = userEvent.setup();
      let reject = true;
      const calls = mockFetch({
        'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
        'GET /api/catalog/hello-world/latest/descriptor': () => ({ body: secretive }),
        'POST /api/jobs': () =>
          reject
            ? { status: 422, body: { error: { code: 'VALIDATION_FAILED', message: 'invalid inputs', details: { problems: [{ file: 'inputs', path: '/name', message: 'world is reserved' }] } } } }
            : { status: 202, body: { id: 'job-7' } },
      });
      const { client } = renderPage(<ItemPage />, { route: '/catalog/hello-world', path: '/catalog/:id' });
      expect(within(await screen.findByTestId('uses-secrets')).queryByRole('link')).toBeNull();
      const mutations = () => JSON.stringify(client.getMutationCache().getAll().map((m) => ({ state: m.state, options: m.options })));

      await user.type(await screen.findByLabelText(/^Admin password/), secret);
      await user.click(screen.getByRole('button', { name: 'Run' }));
      expect(await screen.findByText('world is reserved')).toBeTruthy();
      expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body)).inputs).toEqual({ name: 'world', password: secret });
      // Refused: the form keeps the secret for the next try, the query client does not.
      expect(screen.getByLabelText<HTMLInputElement>(/^Admin password/).value).toBe(secret);
      expect(mutations()).not.toContain(secret);
      await waitFor(() => expect(client.getMutationCache().getAll()).toEqual([]));

      reject = false;
      await user.clear(screen.getByLabelText(/^Name/));
      await user.type(screen.getByLabelText(/^Name/), 'shelf');
      await user.click(screen.getByRole('button', { name: 'Run' }));
      await waitFor(() => expect(currentLocation()).toBe('/jobs/job-7'));
      expect(mutations()).not.toContain(secret);
      await waitFor(() => expect(client.getMutationCache().getAll()).toEqual([]));
      expect(currentLocation()).not.toContain(secret);
      for (const storage of [localStorage, sessionStorage]) {
        const stored = Array.from({ length: storage.length }, (_, i) => `${storage.key(i)}=${storage.getItem(storage.key(i)!)}`).join('\n');
        expect(stored).not.toContain(secret);
      }
      expect(JSON.stringify(client.getQueryCache().getAll().map((q) => q.state.data))).not.toContain(secret);
    });
  });
});
