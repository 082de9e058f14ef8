// @vitest-environment jsdom
import type { DescriptorAnswer } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { catchDownloads } from '../components/InputsFile/downloadTesting';
import { jsonEditor, replaceJson } from '../components/InputsJson/jsonEditorTesting';
import { fieldBlock, L, testValidatorModule } from '../components/ItemForm/formTesting';
import { mockFetch, renderPage } from '../test/render';
import ItemPage from './ItemPage';
import { descriptor, fakeClipboard, secretive, versions, withClipboard } from './ItemPage.testing';

// No API to import the form's validator module from: hand the form one built from the schema it shows.
let formSchema: Record<string, unknown>;
vi.mock('../components/ItemForm/importValidatorModule', () => ({ importValidatorModule: vi.fn(async () => testValidatorModule(formSchema)) }));
vi.mock('codemirror-json-schema', async () => (await import('../components/InputsJson/jsonEditorTesting')).fakeJsonSchemaModule());
afterEach(() => {
  vi.restoreAllMocks();
  withClipboard(undefined);
});

const secret = 'correct-horse-battery';

/** The item page of `item`, with its routes and any others given; resolves once its form is there. */
async function openItem(item: DescriptorAnswer, routes: Parameters<typeof mockFetch>[0] = {}) {
  formSchema = item.schema;
  const calls = mockFetch({
    'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
    'GET /api/catalog/hello-world/latest/descriptor': () => ({ body: item }),
    'GET /api/catalog/hello-world/presets': () => ({ body: { items: [] } }),
    // The item's schedules, under the form: none here.
    'GET /api/schedules': () => ({ body: { items: [] } }),
    ...routes,
  });
  const view = renderPage(<ItemPage />, { route: '/catalog/hello-world', path: '/catalog/:id' });
  await screen.findByRole('button', { name: 'Run' });
  return { ...view, calls, user: userEvent.setup() };
}

const posted = (calls: { url: string; init?: RequestInit }[], url: string) => calls.filter((c) => c.url === url && c.init?.method === 'POST').map((c) => JSON.parse(String(c.init!.body)));
const tab = (name: string) => screen.getByRole('tab', { name });

describe('the JSON tab', () => {
  beforeEach(() => {
    formSchema = descriptor.schema;
  });

  test('edits the same inputs as the form, both ways, and a pasted object is what runs', async () => {
    const { user, calls } = await openItem(descriptor, { 'POST /api/jobs': () => ({ status: 202, body: { id: 'job-1' } }) });
    await user.clear(screen.getByLabelText(L('Name')));
    await user.type(screen.getByLabelText(L('Name')), 'shelf');

    await user.click(tab('JSON'));
    expect(tab('JSON').getAttribute('aria-selected')).toBe('true');
    const editor = await jsonEditor();
    expect(editor.state.doc.toString()).toBe('{\n  "name": "shelf",\n  "times": 3\n}\n');

    replaceJson(editor, '{ "name": "pasted", "times": 7 }');
    await user.click(tab('Form'));
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('pasted');
    expect(screen.getByLabelText<HTMLInputElement>(L('Times')).value).toBe('7');
    // The editor is mounted only while its tab is open, and reads the inputs again when it opens.
    expect(screen.queryByRole('textbox', { name: 'Inputs as JSON' })).toBeNull();
    await user.clear(screen.getByLabelText(L('Times')));
    await user.type(screen.getByLabelText(L('Times')), '9');
    await user.click(tab('JSON'));
    expect((await jsonEditor()).state.doc.toString()).toBe('{\n  "name": "pasted",\n  "times": 9\n}\n');

    await user.click(tab('Form'));
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(posted(calls, '/api/jobs')).toEqual([{ itemId: 'hello-world', version: '1.2.0', inputs: { name: 'pasted', times: 9 } }]));
  });

  test('keeps invalid JSON, and its tab, open with the error; the form keeps its last valid inputs', async () => {
    const { user } = await openItem(descriptor);
    await user.click(tab('JSON'));
    const editor = await jsonEditor();
    replaceJson(editor, '{ "name": "valid" }');
    replaceJson(editor, '{ "name": "half');
    expect((await screen.findByRole('alert')).textContent).toMatch(/^This is not valid JSON: .*The form keeps the last inputs that were valid JSON\.$/);

    await user.click(tab('Form'));
    expect(tab('JSON').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByRole('alert').textContent).toMatch(/^Fix the JSON before going back to the form\. This is not valid JSON/);
    expect(editor.state.doc.toString()).toBe('{ "name": "half');
    // Hidden behind the tab, the form holds the last inputs that parsed.
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('valid');
    // What would use the broken text says so, rather than quietly using older inputs.
    for (const name of ['Validate', 'Copy as curl', 'Download JSON']) expect(screen.getByRole<HTMLButtonElement>('button', { name }).disabled).toBe(true);

    replaceJson(editor, '["not", "an object"]');
    await waitFor(() => expect(screen.getByRole('alert').textContent).toMatch(/one JSON object.*this is an array/));
    replaceJson(editor, '{ "name": "fixed" }');
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    await user.click(tab('Form'));
    expect(tab('Form').getAttribute('aria-selected')).toBe('true');
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('fixed');
  });
});

describe('inputs as a file', () => {
  test('a download holds a placeholder for a secret, never the secret', async () => {
    const files = catchDownloads();
    const { user } = await openItem(secretive);
    await user.type(screen.getByLabelText(L('Admin password')), secret);
    await user.click(screen.getByRole('button', { name: 'Download JSON' }));
    expect(files.map((f) => f.name)).toEqual(['hello-world-1.2.0-inputs.json']);
    const text = await files[0]!.blob.text();
    expect(text).toBe('{\n  "name": "world",\n  "times": 3,\n  "password": "<secret: password>"\n}\n');
    expect(text).not.toContain(secret);
  });

  test('an upload fills the form over its defaults, and one that is not an object is refused', async () => {
    const { user } = await openItem(secretive);
    const upload = screen.getByLabelText('Upload JSON…');
    await user.upload(upload, new File(['{ "name": "uploaded", "password": "<secret: password>" }'], 'inputs.json'));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('uploaded'));
    expect(screen.getByLabelText<HTMLInputElement>(L('Times')).value).toBe('3');
    // A downloaded file's placeholder is not a password: the field is left to fill in.
    expect(screen.getByLabelText<HTMLInputElement>(L('Admin password')).value).toBe('');
    expect(screen.getByText('Filled the form from inputs.json.')).toBeTruthy();

    await user.upload(upload, new File(['"just a string"'], 'wrong.json'));
    expect((await screen.findByRole('alert')).textContent).toBe('wrong.json was not loaded. The inputs must be one JSON object, like { "name": "value" }; this is a string.');
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('uploaded');
  });
});

describe('Validate', () => {
  test("shows the server's 422 under the fields, as a refused run does, and its 200 as what would run", async () => {
    let refuse = true;
    const { user, calls } = await openItem(secretive, {
      'POST /api/jobs/validate': () =>
        refuse
          ? { status: 422, body: { error: { code: 'VALIDATION_FAILED', message: 'invalid inputs', details: { problems: [{ file: 'inputs', path: '/name', message: 'world is reserved' }] } } } }
          : { body: { itemId: 'hello-world', version: '1.2.0', inputs: { name: 'shelf', times: 3, password: '********' } } },
    });
    await user.type(screen.getByLabelText(L('Admin password')), secret);
    await user.click(screen.getByRole('button', { name: 'Validate' }));
    await waitFor(() => expect(within(fieldBlock('Name')).getByText('world is reserved')).toBeTruthy());
    expect(screen.getByRole('alert').textContent).toBe('The server found a problem with the inputs; see the fields below.');
    expect(posted(calls, '/api/jobs/validate')).toEqual([{ itemId: 'hello-world', version: '1.2.0', inputs: { name: 'world', times: 3, password: secret } }]);
    expect(posted(calls, '/api/jobs')).toEqual([]);

    refuse = false;
    await user.clear(screen.getByLabelText(L('Name')));
    await user.type(screen.getByLabelText(L('Name')), 'shelf');
    await waitFor(() => expect(screen.queryByText('world is reserved')).toBeNull());
    await user.click(screen.getByRole('button', { name: 'Validate' }));
    const result = await screen.findByTestId('validation-result');
    expect(within(result).getByRole('heading').textContent).toBe('Valid — this is what would run');
    expect(JSON.parse(within(result).getByLabelText('The inputs as they would run').textContent!)).toEqual({ name: 'shelf', times: 3, password: '********' });
    expect(screen.getAllByRole('status').some((s) => s.textContent === 'Valid: the server would run them as shown below.')).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();

    // It was about these inputs: a change retires it.
    await user.type(screen.getByLabelText(L('Name')), '2');
    await waitFor(() => expect(screen.queryByTestId('validation-result')).toBeNull());
  });
});

describe('copying the run', () => {
  test('as curl and as CLI commands, with a placeholder for the secret and single quotes escaped', async () => {
    const { user } = await openItem(secretive);
    // After userEvent.setup(), which brings a clipboard of its own.
    const writeText = fakeClipboard();
    await user.clear(screen.getByLabelText(L('Name')));
    await user.type(screen.getByLabelText(L('Name')), "o'brien");
    await user.type(screen.getByLabelText(L('Admin password')), secret);

    await user.click(screen.getByRole('button', { name: 'Copy as curl' }));
    expect(writeText).toHaveBeenLastCalledWith(
      `curl -X POST "$SHELF_URL/api/jobs" -H "Authorization: Bearer $SHELF_TOKEN" -H 'content-type: application/json' -d ` +
        `'{"itemId":"hello-world","version":"1.2.0","inputs":{"name":"o'\\''brien","times":3,"password":"<secret: password>"}}'`,
    );
    expect(screen.getByText(/^Copied the curl command\./)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Copy as CLI command' }));
    expect(writeText).toHaveBeenLastCalledWith(
      `cat > inputs.json <<'EOF'\n{\n  "name": "o'brien",\n  "times": 3,\n  "password": "<secret: password>"\n}\nEOF\nshelf run hello-world@1.2.0 -f inputs.json`,
    );
    expect(JSON.stringify(writeText.mock.calls)).not.toContain(secret);
  });
});

describe('presets on the item page', () => {
  test("fill the form over the schema's defaults with secrets left empty, and save the inputs without secrets", async () => {
    const preset = { id: 'p1', itemId: 'hello-world', name: 'loud', inputs: { times: 10 }, shared: false, owner: { id: 'u-alice', username: 'alice' }, createdAt: '', updatedAt: '' };
    const { user, calls } = await openItem(secretive, {
      'GET /api/catalog/hello-world/presets': () => ({ body: { items: [preset] } }),
      'POST /api/catalog/hello-world/presets': () => ({ status: 201, body: { ...preset, id: 'p2', name: 'mine' } }),
    });
    await user.clear(screen.getByLabelText(L('Name')));
    await user.type(screen.getByLabelText(L('Name')), 'typed');
    await user.type(screen.getByLabelText(L('Admin password')), secret);

    await user.click(screen.getByRole('button', { name: 'Save as preset…' }));
    await user.type(screen.getByLabelText('Preset name'), 'mine');
    await user.click(screen.getByRole('button', { name: 'Save preset' }));
    expect(await screen.findByText('Saved the preset “mine”.')).toBeTruthy();
    expect(posted(calls, '/api/catalog/hello-world/presets')).toEqual([{ name: 'mine', inputs: { name: 'typed', times: 3 }, shared: false }]);

    await user.selectOptions(screen.getByLabelText('Fill from preset'), 'loud');
    await user.click(screen.getByRole('button', { name: 'Fill the form' }));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(L('Times')).value).toBe('10'));
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('world');
    expect(screen.getByLabelText<HTMLInputElement>(L('Admin password')).value).toBe('');
  });
});
