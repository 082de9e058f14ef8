/** A job whose submitter already has the most active jobs (queued, running or awaiting approval) one user may have. */
export class ActiveJobsLimitError extends Error {
  constructor(
    readonly activeJobs: number,
    readonly limit: number,
  ) {
    super(`the submitter already has ${activeJobs} active jobs; ${limit} allowed`);
    this.name = 'ActiveJobsLimitError';
  }
}
