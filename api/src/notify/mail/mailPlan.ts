import type { JobSummary, NotifyEvent } from '@shelf/contract';
import { canDecideJob } from '../../auth/policy.js';
import type { Principal } from '../../auth/principal.js';
import type { UserRecord, UserStore } from '../../auth/userStore.js';
import type { EventPayload } from '../deliveryLog.js';
import type { MailJob } from '../notifyQueue.js';
import { renderMail } from './mailContent.js';

const toSubmitter: readonly NotifyEvent[] = ['job.approved', 'job.rejected', 'job.expired'];
const finished: readonly NotifyEvent[] = ['job.succeeded', 'job.failed', 'job.cancelled'];

/**
 * Who is mailed about a job event (SPEC §8): the people who may decide a new request; its
 * submitter on a decision or an expiry, and on its end if they asked for that (`notifyOnFinish`).
 * Only enabled users with an e-mail address; who may decide is the policy's answer.
 */
export class MailPlan {
  constructor(
    private readonly users: UserStore,
    private readonly publicUrl: string,
  ) {}

  async mailsFor(payload: EventPayload): Promise<MailJob[]> {
    const job = payload.job;
    if (!job) return [];
    const recipients = await this.recipients(payload.event, job);
    return recipients.map((user) => ({
      event: payload.event,
      about: job.id,
      userId: user.id,
      message: { to: user.email!, ...renderMail(payload.event, job, user.name ?? user.username, this.publicUrl) },
    }));
  }

  private async recipients(event: NotifyEvent, job: JobSummary): Promise<UserRecord[]> {
    const reachable = (u: UserRecord | undefined): u is UserRecord => u !== undefined && !u.disabled && Boolean(u.email);
    if (event === 'job.awaiting_approval') {
      const approval = job.approval;
      if (!approval) return [];
      return (await this.users.list()).filter((u) => reachable(u) && canDecideJob(principalOf(u), { ...job, approval }).allowed);
    }
    if (!job.submittedBy) return [];
    const submitter = await this.users.get(job.submittedBy.id);
    if (!reachable(submitter)) return [];
    if (toSubmitter.includes(event)) return [submitter];
    if (finished.includes(event) && submitter.notifyOnFinish) return [submitter];
    return [];
  }
}

function principalOf(u: UserRecord): Principal {
  return { id: u.id, username: u.username, role: u.role, groups: u.groups, via: 'session' };
}
