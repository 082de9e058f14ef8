/** What `shelf` exits with; `shelf --help` lists them (see {@link exitCodesHelp}). */
export const ExitCode = {
  OK: 0,
  /** The job FAILED; `validate`/`pack`/`push` found problems, or a version conflict (409). */
  FAILED: 1,
  /** Usage or request error: bad arguments or inputs, Shelf unreachable, token refused, not allowed. */
  USAGE: 2,
  /** The job ended without running to the end: CANCELLED, REJECTED or EXPIRED. */
  ENDED: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodesHelp = `Exit codes:
  0  success (for run/logs --follow: the job SUCCEEDED)
  1  the job FAILED; validate, pack or push found problems; push hit an existing version with other content (409)
  2  usage or request error: bad arguments or inputs, Shelf unreachable, token refused (401), not allowed (403), not found
  3  the job was CANCELLED, REJECTED or EXPIRED`;
