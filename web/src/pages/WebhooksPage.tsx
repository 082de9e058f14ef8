import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ConfirmButton } from '../components/ConfirmButton/ConfirmButton';
import { CreateWebhook } from '../components/CreateWebhook/CreateWebhook';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RequireRole } from '../components/RequireRole/RequireRole';
import { WebhookDeliveries } from '../components/WebhookDeliveries/WebhookDeliveries';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { formatDateTime } from '../lib/format';

function Webhooks() {
  useDocumentTitle('Webhooks');
  const client = useQueryClient();
  const hooks = useQuery({ queryKey: queryKeys.webhooks(), queryFn: ({ signal }) => api.webhooks(signal) });
  const [open, setOpen] = useState<string | undefined>();
  const remove = useMutation({
    mutationFn: (id: string) => api.deleteWebhook(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.webhooks() }),
  });
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Webhooks</h1>
        <p className="muted mt-1 text-sm">Shelf posts signed events here: approvals asked and decided, jobs finished, items published.</p>
      </div>
      <section aria-labelledby="webhooks-heading" className="mb-8">
        <h2 id="webhooks-heading" className="sr-only">
          Registered webhooks
        </h2>
        {remove.isError && <ErrorMessage error={remove.error} title="Could not delete the webhook" />}
        {hooks.isPending ? (
          <Loading label="Loading the webhooks…" />
        ) : hooks.isError ? (
          <ErrorMessage error={hooks.error} title="Could not load the webhooks" onRetry={() => void hooks.refetch()} />
        ) : !hooks.data.length ? (
          <p className="muted text-sm">No webhooks yet.</p>
        ) : (
          <ul className="flex flex-col gap-3">
            {hooks.data.map((hook) => (
              <li key={hook.id} className="card p-4" data-testid="webhook">
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="font-mono text-sm break-all">{hook.url}</p>
                    <p className="muted mt-1 text-xs">
                      {hook.events.join(', ')} · {hook.format} · added by {hook.createdBy.username}, {formatDateTime(hook.createdAt)}
                    </p>
                  </div>
                  <div className="flex gap-2">
                    <button type="button" className="btn-secondary px-2 py-1 text-xs" aria-expanded={open === hook.id} onClick={() => setOpen(open === hook.id ? undefined : hook.id)}>
                      {open === hook.id ? 'Hide deliveries' : 'Deliveries'}
                    </button>
                    <ConfirmButton
                      label="Delete"
                      name={`Delete webhook ${hook.url}`}
                      question="Delete this webhook? Nothing more is sent to it."
                      confirmLabel="Delete"
                      pending={remove.isPending}
                      onConfirm={() => remove.mutate(hook.id)}
                    />
                  </div>
                </div>
                {open === hook.id && (
                  <div className="mt-3">
                    <WebhookDeliveries webhookId={hook.id} />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
      <CreateWebhook />
    </>
  );
}

/** Outbound webhooks, for admins: add, delete, read what was delivered, redeliver. */
export default function WebhooksPage() {
  return (
    <RequireRole action="administer" title="Webhooks">
      <Webhooks />
    </RequireRole>
  );
}
