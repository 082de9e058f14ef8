// @vitest-environment jsdom
import type { ImportRecord } from '@shelf/contract';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { api } from '../api/client';
import { mockFetch, renderPage } from '../test/render';
import ImportPage from './ImportPage';

const record = (over: Partial<ImportRecord>): ImportRecord => ({
  importId: 'imp-1',
  source: { kind: 'git', url: 'https://git.example/acme/catalog.git', ref: 'hello-world@1.3.0', trigger: 'sync' },
  state: 'queued',
  results: [],
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  ...over,
});

describe('ImportPage', () => {
  test('imports a local folder: every problem by file and field, then the created version', async () => {
    const user = userEvent.setup();
    let answer = 0;
    mockFetch({
      'GET /api/catalog/imports': () => ({ body: { items: [] } }),
      'POST /api/catalog/local/import': () =>
        answer++ === 0
          ? {
              status: 422,
              body: {
                error: {
                  code: 'VALIDATION_FAILED',
                  message: 'The item is invalid',
                  details: {
                    problems: [
                      { file: 'manifest.yaml', path: '/runtime/image', message: 'is required' },
                      { file: 'manifest.yaml', path: '/colour', message: 'unknown field "colour"' },
                      { file: 'schema.json', path: '/properties/x/type', message: 'must be a valid type' },
                    ],
                  },
                },
              },
            }
          : { status: 201, body: { id: 'hello-world', version: '1.2.0', digest: 'c'.repeat(64), status: 'created', importId: 'imp-2' } },
    });
    renderPage(<ImportPage />, { route: '/import', path: '/import' });
    expect(screen.getByRole('tab', { name: 'Local folder' }).getAttribute('aria-selected')).toBe('true');
    await user.type(screen.getByLabelText('Folder path'), 'catalog-examples/broken');
    await user.click(screen.getByRole('button', { name: 'Import folder' }));

    const manifest = await screen.findByRole('region', { name: 'Problems in manifest.yaml' });
    expect(within(manifest).getAllByRole('listitem').map((li) => li.textContent)).toEqual(['/runtime/imageis required', '/colourunknown field "colour"']);
    expect(screen.getByRole('region', { name: 'Problems in schema.json' })).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Import folder' }));
    const result = await screen.findByTestId('import-result');
    expect(within(result).getByRole('link', { name: 'hello-world@1.2.0' }).getAttribute('href')).toBe('/catalog/hello-world?version=1.2.0');
    expect(result.textContent).toContain('Created');
  });

  test('queues a Git import and follows it until done', async () => {
    const user = userEvent.setup();
    let polls = 0;
    mockFetch({
      'GET /api/catalog/imports': () => ({ body: { items: [] } }),
      'POST /api/catalog/git/sync': () => ({ status: 202, body: { importId: 'imp-1' } }),
      'GET /api/catalog/imports/imp-1': () =>
        ++polls < 2
          ? { body: record({ state: 'running' }) }
          : {
              body: record({
                state: 'done',
                results: [
                  { id: 'hello-world', version: '1.3.0', status: 'created', digest: 'd'.repeat(64) },
                  { id: 'csv-stats', version: '2.0.0', status: 'refused', error: 'manifest version 1.9.0 disagrees with the tag' },
                ],
              }),
            },
    });
    renderPage(<ImportPage />, { route: '/import?tab=git', path: '/import' });
    await user.type(screen.getByLabelText('Repository URL'), 'https://git.example/acme/catalog.git');
    await user.click(screen.getByRole('button', { name: 'Import from Git' }));
    const progress = await screen.findByTestId('git-import-progress');
    expect(progress.textContent).toContain('imp-1');
    await waitFor(() => expect(within(progress).getByText('done')).toBeTruthy(), { timeout: 4000 });
    expect(within(progress).getByRole('link', { name: 'hello-world@1.3.0' })).toBeTruthy();
    expect(progress.textContent).toContain('manifest version 1.9.0 disagrees with the tag');
  });

  test('uploads a bundle with a progress bar', async () => {
    const user = userEvent.setup();
    mockFetch({ 'GET /api/catalog/imports': () => ({ body: { items: [] } }) });
    let report: (fraction: number) => void = () => {};
    let finish: () => void = () => {};
    const upload = vi.spyOn(api, 'uploadBundle').mockImplementation((_file, onProgress) => {
      report = onProgress;
      return new Promise((resolve) => {
        finish = () => resolve({ id: 'csv-stats', version: '1.0.0', digest: 'e'.repeat(64), status: 'unchanged' });
      });
    });
    renderPage(<ImportPage />, { route: '/import?tab=bundle', path: '/import' });
    const file = new File([new Uint8Array([31, 139, 8])], 'csv-stats.tar.gz', { type: 'application/gzip' });
    await user.upload(screen.getByLabelText('Choose a file'), file);
    await user.click(screen.getByRole('button', { name: 'Upload bundle' }));
    expect(upload).toHaveBeenCalledWith(file, expect.any(Function), expect.any(AbortSignal));
    report(0.5);
    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('aria-valuenow')).toBe('50'));
    finish();
    expect((await screen.findByTestId('import-result')).textContent).toContain('Unchanged');
    upload.mockRestore();
  });
});
