import { Link } from 'react-router-dom';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { waitingFor } from '../components/ApprovalPanel/ApprovalPanel';
import { useApprovals } from '../hooks/useApprovals';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { formatDateTime } from '../lib/format';

/** The inbox: jobs waiting for the signed-in user's decision, newest first, kept live by job events. */
export default function ApprovalsPage() {
  useDocumentTitle('Approvals');
  const approvals = useApprovals();
  return (
    <>
      <h1 className="mb-1 text-2xl font-bold tracking-tight">Approvals</h1>
      <p className="muted mb-6 text-sm">Jobs waiting for your decision. They run once approved; a rejection ends them.</p>
      {approvals.isPending ? (
        <Loading label="Loading your approvals…" />
      ) : approvals.isError ? (
        <ErrorMessage error={approvals.error} title="Could not load your approvals" onRetry={() => void approvals.refetch()} />
      ) : approvals.data.length === 0 ? (
        <div className="card p-8 text-center text-sm" data-testid="approvals-empty">
          Nothing waits for your decision.
        </div>
      ) : (
        <ul className="flex flex-col gap-3" aria-label="Jobs awaiting your decision">
          {approvals.data.map((job) => (
            <li key={job.id} className="card flex flex-wrap items-center justify-between gap-3 p-4" data-testid="approval-row" data-job-id={job.id}>
              <div className="min-w-0">
                <p className="font-medium break-words">
                  {job.itemName} <span className="muted font-mono text-xs">@{job.version}</span>
                </p>
                <p className="muted text-xs">
                  Requested by <span className="font-medium text-slate-800 dark:text-slate-200">{job.submittedBy?.username ?? 'unknown'}</span>,{' '}
                  {formatDateTime(job.createdAt)}
                  {job.approval && <> · deadline {formatDateTime(job.approval.deadline)}</>}
                </p>
                {job.approval && <p className="mt-1 text-xs text-violet-800 dark:text-violet-200">{waitingFor(job.approval)}</p>}
              </div>
              <Link to={`/jobs/${encodeURIComponent(job.id)}`} className="btn-primary" aria-label={`Review job ${job.id}`}>
                Review
              </Link>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
