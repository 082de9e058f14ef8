import { defaultApprovalTimeout, type ApprovalPolicy } from '@shelf/contract';
import { Link } from 'react-router-dom';

/** Before anyone fills the form: their job will wait for someone else's yes. */
export function ApprovalNote({ approval }: { approval: ApprovalPolicy }) {
  const count = approval.minApprovals ?? 1;
  return (
    <p className="mb-4 rounded-md border border-violet-300 bg-violet-50 p-3 text-sm text-violet-950 dark:border-violet-800 dark:bg-violet-950 dark:text-violet-100" data-testid="needs-approval">
      A job of this item waits for approval by {approval.approvers.join(', ')}
      {count > 1 ? ` (${count} of them)` : ''} before it runs; the request expires after {approval.timeout ?? defaultApprovalTimeout}.
    </p>
  );
}

/** The named secrets the job reads, and where it finds them. */
export function SecretsNote({ names, admin }: { names: string[]; admin: boolean }) {
  return (
    <p className="mb-4 rounded-md border border-slate-300 bg-slate-50 p-3 text-sm dark:border-slate-700 dark:bg-slate-800/50" data-testid="uses-secrets">
      Uses secrets:{' '}
      {names.map((name, i) => (
        <span key={name}>
          {i > 0 && ', '}
          <span className="font-mono">{name}</span>
        </span>
      ))}
      . Each is mounted in the job as the file <span className="font-mono">/run/secrets/NAME</span>, readable only there.
      {admin && (
        <>
          {' '}
          Manage them on the{' '}
          <Link to="/admin/secrets" className="link">
            Secrets page
          </Link>
          .
        </>
      )}
    </p>
  );
}
