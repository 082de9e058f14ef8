import type { Me } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';

const meQuery = {
  queryKey: queryKeys.me(),
  queryFn: ({ signal }: { signal: AbortSignal }) => api.me(signal),
  // Who is signed in rarely changes while a tab is open; sign-in and sign-out set it themselves.
  staleTime: 5 * 60_000,
};

/**
 * The signed-in user (`GET /api/me`). Pages inside the Layout can count on `data`: it waits for it.
 * `fresh` asks the server again on mount, for the login page: a cached answer may predate an expiry.
 */
export function useMe({ fresh = false } = {}) {
  return useQuery({ ...meQuery, refetchOnMount: fresh ? 'always' : true });
}

/** The signed-in user if already known, without asking the server (for code that runs outside the pages). */
export function useKnownMe(): Me | undefined {
  return useQuery({ ...meQuery, enabled: false }).data;
}
