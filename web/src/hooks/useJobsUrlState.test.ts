import { describe, expect, test } from 'vitest';
import { parseJobsUrl, patchJobsUrl, toJobsSearch } from './useJobsUrlState';

describe('jobs list URL state', () => {
  test('reads filters and page from the query string', () => {
    expect(parseJobsUrl(new URLSearchParams('state=FAILED&q=hello&page=3&pageSize=50&itemId=csv-stats'))).toEqual({
      state: 'FAILED',
      q: 'hello',
      itemId: 'csv-stats',
      page: 3,
      pageSize: 50,
    });
  });

  test('falls back to defaults for anything invalid', () => {
    expect(parseJobsUrl(new URLSearchParams('state=BOGUS&page=-2&pageSize=7'))).toEqual({
      state: undefined,
      q: '',
      itemId: undefined,
      page: 1,
      pageSize: 20,
    });
    expect(parseJobsUrl(new URLSearchParams('page=1.5')).page).toBe(1);
  });

  test('writes only what differs from the defaults, and round-trips', () => {
    expect(toJobsSearch({ q: '', page: 1, pageSize: 20 }).toString()).toBe('');
    const state = { state: 'RUNNING' as const, q: 'a b', page: 2, pageSize: 10 };
    const search = toJobsSearch(state);
    expect(search.toString()).toBe('state=RUNNING&q=a+b&page=2&pageSize=10');
    expect(parseJobsUrl(search)).toEqual({ ...state, itemId: undefined });
  });

  test('goes back to page 1 when a filter or the page size changes, not when the page does', () => {
    const current = { state: undefined, q: '', page: 4, pageSize: 20 };
    expect(patchJobsUrl(current, { q: 'x' }).page).toBe(1);
    expect(patchJobsUrl(current, { state: 'FAILED' }).page).toBe(1);
    expect(patchJobsUrl(current, { pageSize: 50 }).page).toBe(1);
    expect(patchJobsUrl(current, { page: 5 }).page).toBe(5);
    expect(patchJobsUrl(current, { q: '' }).page).toBe(4);
  });
});
