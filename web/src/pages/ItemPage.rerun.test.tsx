// @vitest-environment jsdom
import { SECRET_MASK, type DescriptorAnswer, type JobDetailAnswer } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { fieldBlock, L, testValidatorModule } from '../components/ItemForm/formTesting';
import { currentLocation, mockFetch, renderPage } from '../test/render';
import ItemPage from './ItemPage';
import { descriptor, jobOf, secretive, versions } from './ItemPage.testing';

let formSchema: Record<string, unknown>;
vi.mock('../components/ItemForm/importValidatorModule', () => ({ importValidatorModule: vi.fn(async () => testValidatorModule(formSchema)) }));

const jobId = 'c0ffee'.padEnd(32, '0');

/** The item page as the job page's "Run again with changes" opens it. */
async function rerun(item: DescriptorAnswer, job: JobDetailAnswer | { status: number; body: unknown }, routes: Parameters<typeof mockFetch>[0] = {}) {
  formSchema = item.schema;
  const calls = mockFetch({
    'GET /api/catalog/hello-world/versions': () => ({ body: versions }),
    'GET /api/catalog/hello-world/1.2.0/descriptor': () => ({ body: item }),
    'GET /api/catalog/hello-world/presets': () => ({ body: { items: [] } }),
    // The item's schedules, under the form: none here.
    'GET /api/schedules': () => ({ body: { items: [] } }),
    [`GET /api/jobs/${jobId}`]: () => ('status' in job ? job : { body: job }),
    'POST /api/jobs': () => ({ status: 202, body: { id: 'job-new' } }),
    ...routes,
  });
  renderPage(<ItemPage />, { route: `/catalog/hello-world?version=1.2.0&rerun=${jobId}`, path: '/catalog/:id' });
  return { calls, user: userEvent.setup() };
}

const jobPosts = (calls: { url: string; init?: RequestInit }[]) => calls.filter((c) => c.url === '/api/jobs' && c.init?.method === 'POST').map((c) => JSON.parse(String(c.init!.body)));

describe('running a job again with changes', () => {
  test('fills the form with its inputs, secrets empty and asked for again, then shows what changed and runs with rerunOf', async () => {
    const { user, calls } = await rerun(secretive, jobOf({ name: 'old', times: 5, password: SECRET_MASK }));
    const banner = await screen.findByTestId('rerun-banner');
    // Which inputs are secret, the form knows once its validator is in.
    await screen.findByLabelText(L('Admin password'));
    expect(banner.textContent).toMatch(/^Re-running job c0ffee000000… \(@1\.2\.0\): its inputs fill the form, except its secrets, which are never shown: enter them again\./);
    expect(within(banner).getByRole('link', { name: 'c0ffee000000…' }).getAttribute('href')).toBe(`/jobs/${jobId}`);

    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('old');
    expect(screen.getByLabelText<HTMLInputElement>(L('Times')).value).toBe('5');
    const password = screen.getByLabelText<HTMLInputElement>(L('Admin password'));
    expect(password.value).toBe('');
    expect(password.placeholder).toBe('enter again');
    expect(within(fieldBlock('Admin password')).getByTestId('enter-again').textContent).toBe('enter again');

    await user.clear(screen.getByLabelText(L('Name')));
    await user.type(screen.getByLabelText(L('Name')), 'new');
    await user.type(password, 'typed-again');
    expect(within(fieldBlock('Admin password')).queryByTestId('enter-again')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Run' }));

    const review = await screen.findByTestId('rerun-review');
    expect(document.activeElement).toBe(within(review).getByRole('heading', { name: 'Check what changes, then run' }));
    expect(review.textContent).toContain('Changed since job c0ffee000000…:');
    const rows = within(within(review).getByTestId('input-changes')).getAllByRole('row').slice(1);
    expect(rows.map((r) => Array.from(r.children, (cell) => cell.textContent))).toEqual([
      ['name', 'old', 'new'],
      ['password', 'secret (entered again)'],
    ]);
    expect(review.textContent).not.toContain('typed-again');
    expect(jobPosts(calls)).toEqual([]);

    await user.click(within(review).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(currentLocation()).toBe('/jobs/job-new'));
    expect(jobPosts(calls)).toEqual([{ itemId: 'hello-world', version: '1.2.0', inputs: { name: 'new', times: 5, password: 'typed-again' }, rerunOf: jobId }]);
  });

  test('says when nothing changed and still runs; "Back to the form" keeps the edits', async () => {
    const { user, calls } = await rerun(descriptor, jobOf({ name: 'same', times: 2 }));
    expect(await screen.findByTestId('rerun-banner')).toBeTruthy();
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('same'));

    await user.click(screen.getByRole('button', { name: 'Run' }));
    const review = await screen.findByTestId('rerun-review');
    expect(review.textContent).toContain('Same inputs as job c0ffee000000….');
    expect(within(review).queryByTestId('input-changes')).toBeNull();

    await user.click(within(review).getByRole('button', { name: 'Back to the form' }));
    expect(screen.queryByTestId('rerun-review')).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Run' }));
    expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('same');
    await user.click(screen.getByRole('button', { name: 'Run' }));
    await user.click(within(await screen.findByTestId('rerun-review')).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(jobPosts(calls)).toEqual([{ itemId: 'hello-world', version: '1.2.0', inputs: { name: 'same', times: 2 }, rerunOf: jobId }]));
  });

  test("goes back to the form with the server's problems under their fields when it refuses the run", async () => {
    const { user } = await rerun(descriptor, jobOf({ name: 'same', times: 2 }), {
      'POST /api/jobs': () => ({
        status: 422,
        body: { error: { code: 'VALIDATION_FAILED', message: 'invalid inputs', details: { problems: [{ file: 'inputs', path: '/times', message: 'too many' }] } } },
      }),
    });
    await user.click(await screen.findByRole('button', { name: 'Run' }));
    await user.click(within(await screen.findByTestId('rerun-review')).getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(within(fieldBlock('Times')).getByText('too many')).toBeTruthy());
    expect(screen.queryByTestId('rerun-review')).toBeNull();
    expect(currentLocation()).toBe(`/catalog/hello-world?version=1.2.0&rerun=${jobId}`);
  });

  test('says so when the job cannot be loaded, and offers an empty form instead', async () => {
    const { user } = await rerun(descriptor, { status: 404, body: { error: { code: 'NOT_FOUND', message: `job not found: ${jobId}` } } });
    expect((await screen.findByRole('alert')).textContent).toContain(`job not found: ${jobId}`);
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Start from an empty form' }));
    await waitFor(() => expect(currentLocation()).toBe('/catalog/hello-world?version=1.2.0'));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(L('Name')).value).toBe('world'));
    expect(screen.queryByTestId('rerun-banner')).toBeNull();
  });

  test('refuses a job of another item', async () => {
    await rerun(descriptor, jobOf({ name: 'x' }, { itemId: 'other-item' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Job c0ffee000000… ran other-item, not hello-world: it cannot be re-run from here.');
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
  });
});
