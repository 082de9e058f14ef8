import type { Problem } from '@shelf/contract';
import { ExitCode } from './exitCodes.js';

/**
 * What `shelf` tells the user when a command cannot do what was asked: one sentence saying what
 * to do, optionally the problems behind it, and the exit code. main.ts is the one place that
 * prints it.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.USAGE,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}
