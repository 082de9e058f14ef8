// @vitest-environment jsdom
import { SECRET_MASK } from '@shelf/contract';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, test, vi } from 'vitest';
import '../../test/render';
import { RerunReview } from './RerunReview';

const job = { id: 'ab'.repeat(16), version: '1.0.0', inputs: { size: 'S', token: SECRET_MASK, key: SECRET_MASK } };
const renderReview = (inputs: Record<string, unknown>, version = '1.0.0') =>
  render(
    <MemoryRouter>
      <RerunReview job={job} inputs={inputs} version={version} running={false} onRun={vi.fn()} onBack={vi.fn()} />
    </MemoryRouter>,
  );
const rows = () => within(screen.getByTestId('input-changes')).getAllByRole('row').slice(1).map((r) => Array.from(r.children, (c) => c.textContent));

describe('RerunReview', () => {
  test('with only secrets entered again, says the inputs are the same apart from them', () => {
    renderReview({ size: 'S', token: SECRET_MASK, key: SECRET_MASK });
    expect(screen.getByText(/Same inputs as job/).textContent).toBe('Same inputs as job abababababab…, secrets aside:');
    expect(rows()).toEqual([
      ['token', 'secret (entered again)'],
      ['key', 'secret (entered again)'],
    ]);
  });

  test('shows a secret left out this time as gone, never as entered again, and a new version', () => {
    renderReview({ size: 'M', token: SECRET_MASK }, '1.1.0');
    expect(screen.getByText(/Version/).textContent).toBe('Version 1.0.0 → 1.1.0.');
    expect(rows()).toEqual([
      ['size', 'S', 'M'],
      ['token', 'secret (entered again)'],
      ['key', SECRET_MASK, 'not set'],
    ]);
  });
});
