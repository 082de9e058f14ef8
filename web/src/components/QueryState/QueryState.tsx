import { ApiError } from '../../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" className="muted flex items-center gap-2 py-8 text-sm">
      <span aria-hidden="true" className="size-4 animate-spin rounded-full border-2 border-current border-t-transparent" />
      {label}
    </div>
  );
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong.';
}

/** An error box with the server's message and, when given, a way to try again. */
export function ErrorMessage({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p className="font-semibold">{title}</p>
      <p className="mt-1 break-words">
        {errorText(error)}
        {code && code !== 'NETWORK' && <span className="ml-1 font-mono text-xs opacity-80">({code})</span>}
      </p>
      {onRetry && (
        <button type="button" className="btn-secondary mt-3" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
