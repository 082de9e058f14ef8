import type { Actor } from './auth.js';
import { principalPattern } from './auth.js';

/**
 * Approvals (SPEC §8): a manifest's `approval` makes each job of the item wait for people to
 * say yes before it is queued. The policy is frozen into the job when it is submitted, so a
 * later version of the manifest changes nothing about requests already waiting.
 */

/** `timeout` values: a whole number and one unit, seconds to days (`90s`, `30m`, `24h`, `7d`). */
export const approvalTimeoutPattern = '^[1-9][0-9]{0,6}(s|m|h|d)$';

/** What an `approval` without a `timeout` waits. */
export const defaultApprovalTimeout = '24h';

/** The longest a request may wait: past a month nobody remembers why it was asked. */
export const maxApprovalTimeoutSeconds = 30 * 24 * 60 * 60;

const unitSeconds = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

/** Seconds of an approval timeout such as `24h`; null when it is not one (see {@link approvalTimeoutPattern}). */
export function parseApprovalTimeout(value: string): number | null {
  const m = new RegExp(approvalTimeoutPattern).exec(value);
  if (!m) return null;
  return Number(value.slice(0, -1)) * unitSeconds[m[1] as keyof typeof unitSeconds];
}

/** The JSON Schema of the manifest's `approval` field. */
export const approvalManifestSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['approvers'],
  description: 'Jobs of this item wait for approval before they run.',
  properties: {
    approvers: {
      type: 'array',
      minItems: 1,
      maxItems: 50,
      uniqueItems: true,
      items: { type: 'string', pattern: principalPattern },
      description: 'Who may approve: role:<role>, group:<name> or user:<username>. The submitter never approves their own job.',
    },
    minApprovals: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 1,
      description: 'How many different approvers must say yes; one rejection is enough to refuse.',
    },
    timeout: {
      type: 'string',
      pattern: approvalTimeoutPattern,
      default: defaultApprovalTimeout,
      description: 'How long a request waits before it expires: a number and s, m, h or d (30m, 24h, 7d); at most 30d.',
    },
  },
} as const;

/** The manifest's `approval`, as written. */
export interface ApprovalPolicy {
  approvers: string[];
  minApprovals?: number;
  timeout?: string;
}

/** The policy frozen into a job at submission, with its deadline. */
export interface ApprovalSnapshot {
  approvers: string[];
  minApprovals: number;
  timeout: string;
  /** ISO time: the job expires then if it is still awaiting approval. */
  deadline: string;
}

/** A job summary's `approval`: the frozen policy and how many distinct approvers said yes so far. */
export interface JobApproval extends ApprovalSnapshot {
  approved: number;
}

export type ApprovalVerdict = 'approved' | 'rejected';

/** One entry of a job detail's `approvals`, in the order they were made. */
export interface ApprovalDecision {
  by: Actor;
  decision: ApprovalVerdict;
  comment: string | null;
  at: string;
}

/** The submitter's previous run of the same item, for the reviewer's comparison of inputs. */
export interface PreviousRun {
  id: string;
  version: string;
  createdAt: string;
  inputs: Record<string, unknown>;
}

/** The longest comment a decision keeps. */
export const maxApprovalCommentChars = 2000;

/**
 * The name a principal is indexed under for the approvals inbox: usernames match whatever their
 * case (as `matchesPrincipal` does), so `user:` principals are lowercased; roles and groups are exact.
 */
export function principalIndexName(principal: string): string {
  return principal.startsWith('user:') ? principal.toLowerCase() : principal;
}

/** The policy a job submitted at `now` keeps, defaults applied and its deadline fixed. */
export function freezeApproval(policy: ApprovalPolicy, now: Date): ApprovalSnapshot {
  const timeout = policy.timeout ?? defaultApprovalTimeout;
  const seconds = parseApprovalTimeout(timeout);
  if (seconds === null) throw new Error(`not an approval timeout: ${timeout}`);
  return {
    approvers: [...policy.approvers],
    minApprovals: policy.minApprovals ?? 1,
    timeout,
    deadline: new Date(now.getTime() + seconds * 1000).toISOString(),
  };
}
