// @vitest-environment jsdom
import { SECRET_MASK } from '@shelf/contract';
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { downloadName } from './downloadText';
import { OutputsView } from './OutputsView';

const plan = Array.from({ length: 40 }, (_, i) => `  + resource "aws_s3_bucket" "b${i + 1}" {}`).join('\n');

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

describe('OutputsView', () => {
  test('shows a long multi-line value in monospace, collapsed, and shows all on demand', async () => {
    render(<OutputsView values={{ plan, rows: 3 }} empty="none" />);
    const value = screen.getByRole('group', { name: 'plan' });
    const code = value.querySelector('pre')!;
    expect(code.className).toContain('font-mono');
    expect(code.textContent!.split('\n')).toHaveLength(12);
    expect(code.getAttribute('aria-label')).toBe('plan, first 12 lines');
    const toggle = within(value).getByRole('button', { name: 'Show all (40 lines)' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.getAttribute('aria-controls')).toBe(code.id);
    await userEvent.click(toggle);
    expect(code.textContent).toBe(plan);
    expect(within(value).getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');
    // A short scalar stays plain text, with no buttons.
    expect(screen.getByText('3').tagName).toBe('SPAN');
    expect(screen.getAllByRole('button', { name: /^Copy/ })).toHaveLength(1);
  });

  test('a short multi-line value is code too, not collapsed', () => {
    render(<OutputsView values={{ sql: 'SELECT 1;\nSELECT 2;' }} empty="none" />);
    const value = screen.getByRole('group', { name: 'sql' });
    expect(value.querySelector('pre')!.textContent).toBe('SELECT 1;\nSELECT 2;');
    expect(within(value).queryByRole('button', { name: /Show all/ })).toBeNull();
  });

  test('copies the whole value, even collapsed, and says so', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue();
    render(<OutputsView values={{ plan }} empty="none" />);
    const value = screen.getByRole('group', { name: 'plan' });
    await user.click(within(value).getByRole('button', { name: 'Copy plan' }));
    expect(writeText).toHaveBeenCalledWith(plan);
    expect(within(value).getByRole('status').textContent).toBe('Copied.');
  });

  test('downloads the whole value as a file named after it', async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => (blobs.push(blob), 'blob:x'));
    URL.revokeObjectURL = vi.fn();
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this.download);
    });
    render(<OutputsView values={{ plan, columns: { a: 'int' } }} empty="none" />);
    await userEvent.click(screen.getByRole('button', { name: 'Download plan' }));
    await userEvent.click(screen.getByRole('button', { name: 'Download columns' }));
    expect(clicked).toEqual(['plan.txt', 'columns.json']);
    expect(await blobs[0]!.text()).toBe(plan);
    expect(JSON.parse(await blobs[1]!.text())).toEqual({ a: 'int' });
  });

  test('names downloads safely, keeping an extension the value already has', () => {
    expect(downloadName('main.tf', false)).toBe('main.tf');
    expect(downloadName('../etc/passwd', false)).toBe('etc_passwd.txt');
    expect(downloadName('a b', true)).toBe('a_b.json');
    expect(downloadName('…', false)).toBe('output.txt');
  });

  test('links http(s) URLs only, opening safely, and never shows a secret', () => {
    render(<OutputsView values={{ report: 'https://example.com/r/42', bad: 'javascript:alert(1)', token: SECRET_MASK }} empty="none" />);
    const link = screen.getByRole('link', { name: 'https://example.com/r/42' });
    expect(link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(screen.getByText('javascript:alert(1)').tagName).toBe('SPAN');
    expect(screen.getByTestId('secret-badge')).toBeTruthy();
    expect(screen.queryByText(SECRET_MASK)).toBeNull();
  });

  test('collapses one very long line by characters', () => {
    render(<OutputsView values={{ blob: 'x'.repeat(5000) }} empty="none" />);
    expect(screen.getByRole('button', { name: 'Show all (5000 characters)' })).toBeTruthy();
  });
});
