import type { WorkerSummary } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { errorText } from '../QueryState/QueryState';

/** What the last drain or resume of a worker came to. */
export interface WorkerOutcome {
  ok: boolean;
  text: string;
}

type Action = 'drain' | 'resume';

function failure(error: unknown, id: string, action: Action): string {
  // The server answers 404 for a worker that stopped or missed its heartbeats: it cannot act on a request.
  if (error instanceof ApiError && error.status === 404) return `Could not ${action} worker ${id}: it went away (it stopped, or missed its heartbeats).`;
  return `Could not ${action} worker ${id}: ${errorText(error)}`;
}

const small = 'btn-secondary px-2 py-1 text-xs';

/**
 * Drain an active worker, or resume a draining or drained one; a stale worker cannot act on
 * either. The outcome goes to `onOutcome`, so the page can still say it once the worker's row is gone.
 */
export function WorkerActions({ worker, onOutcome }: { worker: WorkerSummary; onOutcome: (id: string, outcome: WorkerOutcome | undefined) => void }) {
  const client = useQueryClient();
  const act = useMutation({
    mutationFn: (action: Action) => (action === 'drain' ? api.drainWorker(worker.id) : api.resumeWorker(worker.id)),
    onMutate: () => onOutcome(worker.id, undefined),
    onSuccess: (_answer, action) => onOutcome(worker.id, { ok: true, text: action === 'drain' ? `Worker ${worker.id} is draining.` : `Worker ${worker.id} resumes.` }),
    onError: (error, action) => onOutcome(worker.id, { ok: false, text: failure(error, worker.id, action) }),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.workers() }),
  });

  if (worker.state === 'stale') return <span className="muted text-xs">—</span>;
  if (worker.state === 'active') {
    return (
      <ConfirmButton
        label="Drain"
        name={`Drain worker ${worker.id}`}
        question={`Drain worker ${worker.id}? It finishes its running jobs and takes no new ones.`}
        confirmLabel="Drain"
        pending={act.isPending}
        pendingLabel="Draining…"
        className={small}
        onConfirm={() => act.mutate('drain')}
      />
    );
  }
  return (
    <button type="button" className={small} disabled={act.isPending} aria-label={`Resume worker ${worker.id}`} onClick={() => act.mutate('resume')}>
      {act.isPending ? 'Resuming…' : 'Resume'}
    </button>
  );
}
