import { Link } from 'react-router-dom';
import { ApiError, type ImportAnswer } from '../../api/client';
import { ProblemList } from '../ProblemList/ProblemList';
import { ErrorMessage } from '../QueryState/QueryState';

export const itemLink = (id: string, version: string) => `/catalog/${encodeURIComponent(id)}?version=${encodeURIComponent(version)}`;

/** What one import did: the version it created (or found unchanged), or every problem it found. */
export function ImportOutcome({ result, error }: { result?: ImportAnswer; error?: unknown }) {
  if (result) {
    const created = result.status === 'created';
    return (
      <div role="status" data-testid="import-result" className="rounded-md border border-green-300 bg-green-50 p-4 text-sm text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
        <p className="font-semibold">
          {created ? 'Created' : 'Unchanged'}:{' '}
          <Link to={itemLink(result.id, result.version)} className="link">
            {result.id}@{result.version}
          </Link>
        </p>
        <p className="mt-1">
          {created ? 'The new version is in the catalog.' : 'This version was already imported with exactly this content; nothing changed.'}
        </p>
        <p className="mt-1 font-mono text-xs break-all opacity-80">digest {result.digest}</p>
      </div>
    );
  }
  if (!error) return null;
  if (error instanceof ApiError && error.problems.length) return <ProblemList problems={error.problems} title={error.message} />;
  const entry = error instanceof ApiError ? (error.details as { entry?: unknown } | undefined)?.entry : undefined;
  return (
    <div>
      <ErrorMessage error={error} title="The import was refused" />
      {typeof entry === 'string' && (
        <p className="muted mt-2 text-xs">
          Offending entry: <code className="font-mono">{entry}</code>
        </p>
      )}
    </div>
  );
}
