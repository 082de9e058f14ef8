import type { Me } from '@shelf/contract';
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys } from './queryKeys';

/**
 * After a sign-in: nothing cached for whoever used this tab before survives (their jobs, their
 * tokens), and the new identity is known without asking again.
 */
export function startSession(client: QueryClient, me: Me): void {
  client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'auth' && query.queryKey[0] !== 'me' });
  client.setQueryData(queryKeys.me(), me);
}

/** After signing out: forget everything the session could see. */
export function endSession(client: QueryClient): void {
  client.clear();
}
