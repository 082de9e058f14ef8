import type { Schedule } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** How often a list of schedules asks again: their next and last runs move on by themselves. */
export const scheduleRefreshMs = 15_000;

/**
 * The signed-in user's schedules (an admin's: all), kept fresh on focus and every 15 s; `select`
 * narrows them (one item's) while they share one query.
 */
export function useSchedules<T = Schedule[]>({ select, enabled = true }: { select?: (all: Schedule[]) => T; enabled?: boolean } = {}) {
  return useQuery({
    queryKey: queryKeys.scheduleList(),
    queryFn: ({ signal }) => api.schedules(signal),
    refetchInterval: scheduleRefreshMs,
    refetchOnWindowFocus: 'always',
    select,
    enabled,
  });
}
