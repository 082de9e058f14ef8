// @vitest-environment jsdom
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';
import '../../test/render';
import { catchDownloads } from './downloadTesting';
import { InputsFile } from './InputsFile';

afterEach(() => vi.restoreAllMocks());

describe('InputsFile', () => {
  test('downloads the JSON it is given under the file name', async () => {
    const user = userEvent.setup();
    const files = catchDownloads();
    render(<InputsFile fileName="db-1.0.0-inputs.json" json={() => '{\n  "password": "<secret: password>"\n}\n'} onLoad={vi.fn()} />);
    await user.click(screen.getByRole('button', { name: 'Download JSON' }));
    expect(files.map((f) => f.name)).toEqual(['db-1.0.0-inputs.json']);
    expect(await files[0]!.blob.text()).toBe('{\n  "password": "<secret: password>"\n}\n');
    expect(files[0]!.blob.type).toBe('application/json');
    expect(screen.getByRole('status').textContent).toBe('Downloaded db-1.0.0-inputs.json. Its secret inputs are <secret: …> placeholders.');
  });

  test('loads an uploaded object, and refuses anything else saying why', async () => {
    const user = userEvent.setup();
    const onLoad = vi.fn();
    render(<InputsFile fileName="x.json" json={() => '{}'} onLoad={onLoad} />);
    const input = screen.getByLabelText('Upload JSON…');

    await user.upload(input, new File(['[1, 2]'], 'list.json', { type: 'application/json' }));
    expect((await screen.findByRole('alert')).textContent).toBe('list.json was not loaded. The inputs must be one JSON object, like { "name": "value" }; this is an array.');
    await user.upload(input, new File(['{ nope'], 'broken.json', { type: 'application/json' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^broken.json was not loaded. This is not valid JSON: /);
    expect(onLoad).not.toHaveBeenCalled();

    await user.upload(input, new File(['{ "name": "db" }'], 'good.json', { type: 'application/json' }));
    expect(onLoad).toHaveBeenCalledWith({ name: 'db' });
    expect(screen.getByRole('status').textContent).toBe('Filled the form from good.json.');
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
