import { Link } from 'react-router-dom';
import { shortJobId } from '../../lib/format';

interface Props {
  job: { id: string; version: string };
  /** Whether some of its inputs are secrets, which the form asks for again. */
  secrets: boolean;
  onForget: () => void;
}

/** Over a form filled from a job being run again: which job, and the way back to an empty form. */
export function RerunBanner({ job, secrets, onForget }: Props) {
  return (
    <p className="mb-4 rounded-md border border-indigo-300 bg-indigo-50 p-3 text-sm text-indigo-950 dark:border-indigo-800 dark:bg-indigo-950 dark:text-indigo-100" data-testid="rerun-banner">
      Re-running job{' '}
      <Link to={`/jobs/${encodeURIComponent(job.id)}`} className="link font-mono">
        {shortJobId(job.id)}
      </Link>{' '}
      (@{job.version}): its inputs fill the form{secrets ? ', except its secrets, which are never shown: enter them again' : ''}. You will see what
      changed before it runs.{' '}
      <button type="button" className="link" onClick={onForget}>
        Start from an empty form instead
      </button>
    </p>
  );
}
