import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { ErrorMessage, Loading } from '../QueryState/QueryState';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-top';

/** One webhook's delivery log, newest first, with a way to send a past delivery again. */
export function WebhookDeliveries({ webhookId }: { webhookId: string }) {
  const client = useQueryClient();
  const attempts = useQuery({ queryKey: queryKeys.deliveries(webhookId), queryFn: ({ signal }) => api.deliveries(webhookId, signal) });
  const redeliver = useMutation({
    mutationFn: (delivery: string) => api.redeliver(webhookId, delivery),
    // The new delivery shows up once it is tried; look again shortly.
    onSuccess: () => setTimeout(() => void client.invalidateQueries({ queryKey: queryKeys.deliveries(webhookId) }), 1500),
  });
  if (attempts.isPending) return <Loading label="Loading the deliveries…" />;
  if (attempts.isError) return <ErrorMessage error={attempts.error} title="Could not load the deliveries" onRetry={() => void attempts.refetch()} />;
  if (!attempts.data.length) return <p className="muted px-3 py-2 text-sm">No deliveries yet.</p>;
  return (
    <div className="overflow-x-auto">
      {redeliver.isError && <ErrorMessage error={redeliver.error} title="Could not redeliver" />}
      <table className="w-full min-w-[48rem] border-collapse text-sm" data-testid="deliveries">
        <caption className="sr-only">Delivery attempts, newest first</caption>
        <thead>
          <tr>
            <th scope="col" className={th}>When</th>
            <th scope="col" className={th}>Event</th>
            <th scope="col" className={th}>About</th>
            <th scope="col" className={th}>Answer</th>
            <th scope="col" className={th}>Actions</th>
          </tr>
        </thead>
        <tbody>
          {attempts.data.map((a) => (
            <tr key={`${a.delivery}-${a.attempt}`} className="border-t border-slate-100 dark:border-slate-800" data-testid="delivery-row">
              <td className={td}>
                {formatDateTime(a.at)}
                <div className="muted text-xs">
                  try {a.attempt}, {a.durationMs} ms
                </div>
              </td>
              <td className={`${td} font-mono text-xs`}>{a.event}</td>
              <td className={`${td} font-mono text-xs break-all`}>{a.subject}</td>
              <td className={td}>
                <span className={a.outcome === 'ok' ? 'text-green-700 dark:text-green-400' : 'text-red-700 dark:text-red-400'}>
                  {a.status ?? 'no answer'} {a.outcome === 'ok' ? 'delivered' : 'failed'}
                </span>
                {a.error && <div className="muted text-xs break-all">{a.error}</div>}
                {a.willRetry && <div className="muted text-xs">will be tried again</div>}
              </td>
              <td className={td}>
                <button
                  type="button"
                  className="btn-secondary px-2 py-1 text-xs"
                  aria-label={`Redeliver ${a.event} delivery ${a.delivery}`}
                  disabled={redeliver.isPending}
                  onClick={() => redeliver.mutate(a.delivery)}
                >
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
