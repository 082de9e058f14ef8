import { maxApprovalCommentChars, type ApprovalVerdict } from '@shelf/contract';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api } from '../../api/client';
import { applyJobEvent } from '../../api/jobCache';
import { queryKeys } from '../../api/queryKeys';
import { errorText } from '../QueryState/QueryState';

/** Approve or reject one job, with an optional comment the requester and the audit log keep. */
export function DecisionForm({ jobId }: { jobId: string }) {
  const client = useQueryClient();
  const [comment, setComment] = useState('');
  const commentId = useId();
  const decide = useMutation({
    mutationFn: (verdict: ApprovalVerdict) => (verdict === 'approved' ? api.approveJob(jobId, comment.trim()) : api.rejectJob(jobId, comment.trim())),
    onSuccess: (summary) => {
      applyJobEvent(client, summary);
      // The decision history and who may still decide come with the full record.
      void client.invalidateQueries({ queryKey: queryKeys.job(jobId), exact: true });
      void client.invalidateQueries({ queryKey: queryKeys.approvals(), exact: true });
      setComment('');
    },
  });
  return (
    <form className="flex flex-col gap-2" onSubmit={(e) => e.preventDefault()} aria-label="Your decision">
      <label htmlFor={commentId} className="label">
        Comment <span className="muted font-normal">(optional; the requester sees it)</span>
      </label>
      <textarea
        id={commentId}
        className="input min-h-20"
        maxLength={maxApprovalCommentChars}
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        disabled={decide.isPending}
      />
      <div className="flex gap-2">
        <button type="button" className="btn-primary" disabled={decide.isPending} onClick={() => decide.mutate('approved')}>
          {decide.isPending && decide.variables === 'approved' ? 'Approving…' : 'Approve'}
        </button>
        <button type="button" className="btn-danger" disabled={decide.isPending} onClick={() => decide.mutate('rejected')}>
          {decide.isPending && decide.variables === 'rejected' ? 'Rejecting…' : 'Reject'}
        </button>
      </div>
      {decide.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-300">
          {errorText(decide.error)}
        </p>
      )}
    </form>
  );
}
