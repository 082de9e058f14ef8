import { notifyEvents, webhookFormats, type NotifyEvent, type WebhookFormat } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import { ErrorMessage } from '../QueryState/QueryState';
import { SecretOnce } from '../SecretOnce/SecretOnce';
import { TextField } from '../TextField/TextField';

/** Registers a webhook: where to, which events, which body; the answer shows the secret once. */
export function CreateWebhook() {
  const client = useQueryClient();
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<NotifyEvent[]>([...notifyEvents]);
  const [format, setFormat] = useState<WebhookFormat>('shelf');
  const create = useMutation({
    // The answer holds the secret: drop it from the mutation cache as soon as nobody shows it.
    gcTime: 0,
    mutationFn: () => api.createWebhook({ url: url.trim(), events, format }),
    onSuccess: () => {
      setUrl('');
      void client.invalidateQueries({ queryKey: queryKeys.webhooks() });
    },
  });
  const errors = fieldErrors(create.error);
  if (create.data) {
    return (
      <SecretOnce
        id="new-webhook"
        heading={`Webhook to ${create.data.url} created`}
        warning="Copy its signing secret now: it will not be shown again."
        label="The signing secret"
        secret={create.data.secret}
        testId="new-webhook-secret"
        onDone={() => create.reset()}
      >
        Each delivery carries <span className="font-mono">X-Shelf-Signature-256: sha256=&lt;HMAC-SHA256 of the body with this secret&gt;</span>.
      </SecretOnce>
    );
  }

  const toggle = (event: NotifyEvent) => setEvents((now) => (now.includes(event) ? now.filter((e) => e !== event) : [...now, event]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-labelledby="create-webhook-heading" className="card flex flex-col gap-4 p-5">
      <h2 id="create-webhook-heading" className="font-semibold">
        Add a webhook
      </h2>
      {create.isError && !Object.keys(errors).length && <ErrorMessage error={create.error} title="Could not add the webhook" />}
      <TextField
        id="webhook-url"
        label="URL"
        required
        type="url"
        maxLength={2048}
        placeholder="https://hooks.example.com/shelf"
        hint="A public https address, or one under a SHELF_NOTIFY_ALLOW prefix."
        value={url}
        onChange={(e) => setUrl(e.target.value)}
        error={errors.url}
      />
      <fieldset>
        <legend className="label">Events</legend>
        <div className="grid grid-cols-1 gap-1 sm:grid-cols-2">
          {notifyEvents.map((event) => (
            <label key={event} className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={events.includes(event)} onChange={() => toggle(event)} />
              <span className="font-mono text-xs">{event}</span>
            </label>
          ))}
        </div>
        {errors.events && <p className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">{errors.events}</p>}
      </fieldset>
      <div>
        <label htmlFor="webhook-format" className="label">
          Body
        </label>
        <select id="webhook-format" className="input" value={format} onChange={(e) => setFormat(e.target.value as WebhookFormat)}>
          {webhookFormats.map((f) => (
            <option key={f} value={f}>
              {f === 'shelf' ? 'Shelf JSON (signed)' : 'Slack-compatible text (signed)'}
            </option>
          ))}
        </select>
      </div>
      <div>
        <button type="submit" className="btn-primary" disabled={create.isPending || !events.length}>
          {create.isPending ? 'Adding…' : 'Add webhook'}
        </button>
      </div>
    </form>
  );
}
