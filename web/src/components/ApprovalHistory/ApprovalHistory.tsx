import type { ApprovalDecision, JobError } from '@shelf/contract';
import { formatDateTime } from '../../lib/format';

/** Who decided what, and when, oldest first; an expiry closes the list. */
export function ApprovalHistory({ decisions, expired }: { decisions: ApprovalDecision[]; expired?: { at: string | null; error: JobError | null } }) {
  if (!decisions.length && !expired) return <p className="muted text-sm">No decision yet.</p>;
  return (
    <ol className="flex flex-col gap-2 text-sm" data-testid="approval-history">
      {decisions.map((d) => (
        <li key={`${d.by.id}-${d.at}`} className="flex flex-wrap items-baseline gap-x-2" data-decision={d.decision}>
          <span className={`font-semibold ${d.decision === 'approved' ? 'text-green-800 dark:text-green-300' : 'text-rose-800 dark:text-rose-300'}`}>
            {d.by.username} {d.decision}
          </span>
          <span className="muted text-xs">{formatDateTime(d.at)}</span>
          {d.comment && <q className="w-full break-words whitespace-pre-wrap italic">{d.comment}</q>}
        </li>
      ))}
      {expired && (
        <li className="muted" data-decision="expired">
          Expired {formatDateTime(expired.at)}
          {expired.error ? `: ${expired.error.message}` : ''}
        </li>
      )}
    </ol>
  );
}
