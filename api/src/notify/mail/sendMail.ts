import { UnrecoverableError } from 'bullmq';
import type { AuditLog } from '../../auth/auditLog.js';
import type { Logger } from '../../logger.js';
import type { MailJob } from '../notifyQueue.js';
import type { Mailer } from './mailer.js';

/**
 * One attempt of one mail; a failure is thrown for BullMQ to retry later, unless the server
 * refused it for good (an SMTP 5xx: bad recipient, bad credentials). Each attempt is audited.
 */
export async function sendMail(deps: { mailer: Mailer; audit: AuditLog; logger: Logger }, mail: MailJob, tries: { number: number; of: number }): Promise<void> {
  const { event, about, userId, message } = mail;
  let failure: Error | undefined;
  try {
    await deps.mailer.send(message);
  } catch (err) {
    failure = err as Error;
  }
  await deps.audit
    .record({
      actor: 'system',
      action: 'mail.delivery',
      target: `mail to user ${userId} ${event} ${about}`,
      outcome: failure ? 'failed' : 'ok',
      ip: '',
      detail: `attempt ${tries.number} of ${tries.of}${failure ? `: ${failure.message}` : ''}`,
    })
    .catch((err: Error) => deps.logger.warn({ err: err.message }, 'could not write the audit log'));
  if (!failure) return;
  if (((failure as { responseCode?: number }).responseCode ?? 0) >= 500) throw new UnrecoverableError(failure.message);
  throw failure;
}
