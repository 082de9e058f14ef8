import { jobStates, type JobState } from '@shelf/contract';
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { JobsQuery } from '../api/client';

export const pageSizes = [10, 20, 50, 100] as const;
export const defaultPageSize = 20;

/** The jobs list's filters and page, as kept in the URL query string. */
export interface JobsUrlState extends JobsQuery {
  q: string;
}

/** Reads the list state from a query string; anything invalid falls back to its default. */
export function parseJobsUrl(params: URLSearchParams): JobsUrlState {
  const state = params.get('state');
  const page = Number(params.get('page'));
  const pageSize = Number(params.get('pageSize'));
  const itemId = params.get('itemId');
  return {
    state: jobStates.includes(state as JobState) ? (state as JobState) : undefined,
    q: (params.get('q') ?? '').slice(0, 200),
    itemId: itemId || undefined,
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: (pageSizes as readonly number[]).includes(pageSize) ? pageSize : defaultPageSize,
  };
}

/** The query string of a list state, leaving out defaults so URLs stay short. */
export function toJobsSearch(state: JobsUrlState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.state) params.set('state', state.state);
  if (state.q) params.set('q', state.q);
  if (state.itemId) params.set('itemId', state.itemId);
  if (state.page !== 1) params.set('page', String(state.page));
  if (state.pageSize !== defaultPageSize) params.set('pageSize', String(state.pageSize));
  return params;
}

/** Applies a change; changing a filter or the page size goes back to page 1. */
export function patchJobsUrl(current: JobsUrlState, patch: Partial<JobsUrlState>): JobsUrlState {
  const next = { ...current, ...patch };
  const filtersChanged =
    next.state !== current.state || next.q !== current.q || next.itemId !== current.itemId || next.pageSize !== current.pageSize;
  if (filtersChanged && patch.page === undefined) next.page = 1;
  return next;
}

/** The jobs list state from the URL and a setter that writes it back (`replace` for typing). */
export function useJobsUrlState(): [JobsUrlState, (patch: Partial<JobsUrlState>, options?: { replace?: boolean }) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseJobsUrl(params), [params]);
  const update = useCallback(
    (patch: Partial<JobsUrlState>, options?: { replace?: boolean }) =>
      setParams((prev) => toJobsSearch(patchJobsUrl(parseJobsUrl(prev), patch)), { replace: options?.replace }),
    [setParams],
  );
  return [state, update];
}
