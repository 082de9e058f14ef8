// @vitest-environment jsdom
import { SECRET_MASK, type PreviousRun } from '@shelf/contract';
import { render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { describe, expect, test } from 'vitest';
import '../../test/render';
import { InputChanges } from './InputChanges';

const previous = (inputs: Record<string, unknown>): PreviousRun => ({ id: 'f'.repeat(32), version: '1.0.0', createdAt: '2024-12-01T10:00:00Z', inputs });

describe('InputChanges', () => {
  test('says the inputs are the same apart from secrets, which it never compares or shows', () => {
    render(
      <MemoryRouter>
        <InputChanges inputs={{ size: 'S', token: SECRET_MASK }} previous={previous({ size: 'S', token: SECRET_MASK })} submitter="rita" />
      </MemoryRouter>,
    );
    expect(screen.getByText(/Same inputs as rita’s previous run/).textContent).toMatch(/secrets aside:$/);
    const rows = within(screen.getByTestId('input-changes')).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['tokensecret (not compared)']);
    expect(screen.queryByText(SECRET_MASK)).toBeNull();
  });

  test('without secrets, identical inputs are just the same', () => {
    render(
      <MemoryRouter>
        <InputChanges inputs={{ size: 'S' }} previous={previous({ size: 'S' })} submitter="rita" />
      </MemoryRouter>,
    );
    expect(screen.queryByTestId('input-changes')).toBeNull();
    expect(screen.getByText(/Same inputs as/).textContent).toMatch(/\)\.$/);
  });
});
