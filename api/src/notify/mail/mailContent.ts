import type { JobSummary, NotifyEvent } from '@shelf/contract';

export interface MailText {
  subject: string;
  text: string;
  html: string;
}

interface Wording {
  subject: string;
  /** Plain sentences; every value in them is the caller's to escape (see `render`). */
  lines: string[];
  action: string;
}

function wording(event: NotifyEvent, job: JobSummary): Wording {
  const item = `${job.itemName} ${job.version}`;
  const asker = job.submittedBy?.username ?? 'someone';
  const deadline = job.approval?.deadline ? new Date(job.approval.deadline).toUTCString() : undefined;
  switch (event) {
    case 'job.awaiting_approval': {
      const needed = job.approval?.minApprovals ?? 1;
      return {
        subject: `Approval needed: ${item} for ${asker}`,
        lines: [
          `${asker} asked to run ${item} (item ${job.itemId}).`,
          `It runs once ${needed} approver${needed === 1 ? '' : 's'} say${needed === 1 ? 's' : ''} yes; one rejection stops it.`,
          ...(deadline ? [`Without a decision it expires on ${deadline}.`] : []),
        ],
        action: 'Review the request',
      };
    }
    case 'job.approved':
      return { subject: `Approved: ${item}`, lines: [`Your job ${job.id} of ${item} was approved and is queued to run.`], action: 'Open the job' };
    case 'job.rejected':
      return { subject: `Rejected: ${item}`, lines: [`Your job ${job.id} of ${item} was rejected and will not run.`, 'The job page shows who decided and why.'], action: 'Open the job' };
    case 'job.expired':
      return { subject: `Expired: ${item}`, lines: [`Your job ${job.id} of ${item} was not approved in time and will not run.`, 'You can retry it to ask again.'], action: 'Open the job' };
    case 'job.succeeded':
      return { subject: `Succeeded: ${item}`, lines: [`Your job ${job.id} of ${item} succeeded.`], action: 'See its outputs' };
    case 'job.failed':
      return { subject: `Failed: ${item}`, lines: [`Your job ${job.id} of ${item} failed${job.error ? `: ${job.error.message.slice(0, 300)}` : '.'}`], action: 'See its log' };
    case 'job.cancelled':
      return { subject: `Cancelled: ${item}`, lines: [`Your job ${job.id} of ${item} was cancelled.`], action: 'Open the job' };
    default:
      return { subject: `${event}: ${item}`, lines: [`Job ${job.id} of ${item}: ${event}.`], action: 'Open the job' };
  }
}

/**
 * The mail about one job event: plain text and a single-column HTML part that reads on a phone,
 * with no remote images or scripts. Everything users wrote (item names, usernames, error
 * messages) is escaped in the HTML and kept on one line in the subject.
 */
export function renderMail(event: NotifyEvent, job: JobSummary, recipientName: string, publicUrl: string): MailText {
  const w = wording(event, job);
  const link = `${publicUrl.replace(/\/$/, '')}/jobs/${encodeURIComponent(job.id)}`;
  const greeting = `Hello ${recipientName},`;
  const text = [greeting, '', ...w.lines, '', `${w.action}: ${link}`, '', '— Shelf'].join('\n');
  const html = `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(w.subject)}</title></head>
<body style="margin:0;padding:16px;background:#f5f5f5;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1a1a1a">
<div style="max-width:560px;margin:0 auto;background:#ffffff;border-radius:8px;padding:20px">
<p style="margin:0 0 12px">${escapeHtml(greeting)}</p>
${w.lines.map((line) => `<p style="margin:0 0 12px">${escapeHtml(line)}</p>`).join('\n')}
<p style="margin:20px 0"><a href="${escapeHtml(link)}" style="display:inline-block;background:#1f5fbf;color:#ffffff;text-decoration:none;padding:12px 20px;border-radius:6px;font-weight:600">${escapeHtml(w.action)}</a></p>
<p style="margin:0;font-size:13px;color:#555555;word-break:break-all">${escapeHtml(link)}</p>
</div>
<p style="max-width:560px;margin:12px auto 0;font-size:12px;color:#777777">Sent by Shelf.</p>
</body></html>`;
  return { subject: oneLine(w.subject), text, html };
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A subject is one header line: control characters out, and short enough to read. */
function oneLine(text: string): string {
  const flat = text.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 159)}…` : flat;
}
