import type { JobApproval, JobDetailAnswer } from '@shelf/contract';
import { useNow } from '../../hooks/useNow';
import { formatDateTime, formatDuration, sentence } from '../../lib/format';
import { ApprovalHistory } from '../ApprovalHistory/ApprovalHistory';
import { DecisionForm } from '../DecisionForm/DecisionForm';
import { InputChanges } from '../InputChanges/InputChanges';

/** "Waiting for approval by group:dba (1 of 2)" */
export function waitingFor(approval: JobApproval): string {
  return `Waiting for approval by ${approval.approvers.join(', ')} (${approval.approved} of ${approval.minApprovals})`;
}

function Deadline({ deadline }: { deadline: string }) {
  const now = useNow(true, 30_000);
  const left = Date.parse(deadline) - now;
  return (
    <span>
      {formatDateTime(deadline)} <span className="muted">({left > 0 ? `in ${formatDuration(left)}` : 'now'})</span>
    </span>
  );
}

/**
 * A job that needs approval, as its requester and its reviewers see it: who must decide and by
 * when, exactly what will run, what changed since the requester's previous run, the decision form
 * for an approver, and the decisions so far.
 */
export function ApprovalPanel({ job }: { job: JobDetailAnswer }) {
  const { approval } = job;
  if (!approval) return null;
  const waiting = job.state === 'AWAITING_APPROVAL';
  const submitter = job.submittedBy?.username ?? 'the submitter';
  return (
    <section aria-labelledby="approval-heading" className="card mb-6 p-5" data-testid="approval-panel">
      <h2 id="approval-heading" className="mb-3 text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">
        Approval
      </h2>
      {waiting ? (
        <p className="mb-3 font-medium text-violet-800 dark:text-violet-200" data-testid="approval-status">
          {waitingFor(approval)}
        </p>
      ) : (
        <p className="mb-3 text-sm" data-testid="approval-status">
          {approval.approved} of {approval.minApprovals} approvals needed from {approval.approvers.join(', ')}.
        </p>
      )}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <div className="flex min-w-0 flex-col gap-4">
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
            <dt className="muted">Requested by</dt>
            <dd>
              <span className="font-medium">{submitter}</span>, {formatDateTime(job.createdAt)}
            </dd>
            <dt className="muted">Deadline</dt>
            <dd>{waiting ? <Deadline deadline={approval.deadline} /> : formatDateTime(approval.deadline)}</dd>
            <dt className="muted">Will run</dt>
            <dd className="min-w-0">
              <span className="font-medium">{job.itemName}</span> <span className="font-mono text-xs">{job.itemId}@{job.version}</span>
            </dd>
            <dt className="muted">Bundle</dt>
            <dd className="font-mono text-xs break-all">{job.digest}</dd>
          </dl>
          <InputChanges inputs={job.inputs} previous={job.previousRun ?? null} submitter={submitter} />
        </div>
        <div className="flex min-w-0 flex-col gap-4">
          {waiting && (job.canDecide?.allowed ? <DecisionForm jobId={job.id} /> : job.canDecide?.reason && <p className="muted text-sm">{sentence(job.canDecide.reason)}</p>)}
          <div>
            <h3 className="mb-2 text-sm font-semibold">Decisions</h3>
            <ApprovalHistory decisions={job.approvals ?? []} expired={job.state === 'EXPIRED' ? { at: job.finishedAt, error: job.error } : undefined} />
          </div>
        </div>
      </div>
    </section>
  );
}
