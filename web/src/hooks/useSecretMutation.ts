import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';

type Outcome<TData> = { data?: TData; error?: unknown };

/**
 * A mutation whose variables hold a secret (a job's secret inputs, a named secret's value).
 * TanStack Query keeps a mutation, variables included, in the MutationCache for as long as a
 * component observes it; this one is reset the moment it settles and then dropped (`gcTime: 0`),
 * so the secret is held only while its request is on the way. What it answered, or why it
 * failed, is kept here instead, without the variables.
 */
export function useSecretMutation<TData, TVariables>(mutationFn: (variables: TVariables) => Promise<TData>) {
  const mutation = useMutation({ mutationFn, gcTime: 0 });
  const [outcome, setOutcome] = useState<Outcome<TData>>({});

  /** Sends `variables`; resolves to the answer, or to undefined when it failed (see `error`). */
  const mutate = async (variables: TVariables): Promise<TData | undefined> => {
    setOutcome({});
    try {
      const data = await mutation.mutateAsync(variables);
      setOutcome({ data });
      return data;
    } catch (error) {
      setOutcome({ error });
      return undefined;
    } finally {
      mutation.reset();
    }
  };

  return {
    mutate,
    isPending: mutation.isPending,
    data: outcome.data,
    error: outcome.error ?? null,
    isError: outcome.error !== undefined,
    /** Forgets the last answer or error (the values it was about have changed). */
    reset: () => setOutcome({}),
  };
}
