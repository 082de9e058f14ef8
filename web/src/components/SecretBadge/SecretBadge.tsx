/** Where a secret's value would be: the server never sends it, so there is nothing to show or copy. */
export function SecretBadge({ title = 'secret input: never shown' }: { title?: string }) {
  return (
    <span
      title={title}
      className="inline-flex items-center gap-1.5 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700 dark:bg-slate-800 dark:text-slate-300"
      data-testid="secret-badge"
    >
      <span aria-hidden="true" className="font-mono tracking-tight">
        ••••••••
      </span>{' '}
      secret
    </span>
  );
}
