import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';

/** Jobs awaiting the signed-in user's decision; kept current by job events (see jobCache). */
export function useApprovals({ enabled = true } = {}) {
  return useQuery({ queryKey: queryKeys.approvals(), queryFn: ({ signal }) => api.approvals(signal), enabled });
}
