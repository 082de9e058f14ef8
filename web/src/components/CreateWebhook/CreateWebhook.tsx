import { notifyEvents, webhookFormats, type CreatedWebhook, type NotifyEvent, type WebhookFormat } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { fieldErrors } from '../../lib/fieldErrors';
import { ErrorMessage } from '../QueryState/QueryState';
import { TextField } from '../TextField/TextField';

/** The signing secret of a webhook just created: the only time anyone sees it. */
function NewSecret({ hook, onDone }: { hook: CreatedWebhook; onDone: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section
      aria-labelledby="new-webhook-heading"
      className="rounded-md border border-green-300 bg-green-50 p-4 text-sm text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-100"
    >
      <h3 id="new-webhook-heading" ref={heading} tabIndex={-1} className="font-semibold focus:outline-none">
        Webhook to {hook.url} created
      </h3>
      <p className="mt-1 font-medium">Copy its signing secret now: it will not be shown again.</p>
      <label htmlFor="new-webhook-secret" className="sr-only">
        The signing secret
      </label>
      <input id="new-webhook-secret" readOnly value={hook.secret} onFocus={(e) => e.target.select()} className="input mt-3 w-full font-mono text-xs" data-testid="new-webhook-secret" />
      <p className="mt-2 text-xs">
        Each delivery carries <span className="font-mono">X-Shelf-Signature-256: sha256=&lt;HMAC-SHA256 of the body with this secret&gt;</span>.
      </p>
      <button type="button" className="btn-primary mt-3" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}

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
  if (create.data) return <NewSecret hook={create.data} onDone={() => create.reset()} />;

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
