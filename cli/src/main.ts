import { CommanderError } from 'commander';
import pc from 'picocolors';
import { CliError } from './cliError.js';
import { ExitCode } from './exitCodes.js';
import { Output } from './output.js';
import { createProgram } from './program.js';

/** Runs `shelf` and turns every failure into one sentence on stderr and an exit code. */
async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander printed the message (or the help) already.
      return err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    }
    const color = pc.createColors(Boolean(process.stderr.isTTY) && pc.isColorSupported);
    if (err instanceof CliError) {
      process.stderr.write(`${color.red('shelf:')} ${err.message}\n`);
      if (err.problems.length) new Output(false, process.stdout, process.stderr).problems(err.problems);
      return err.exitCode;
    }
    process.stderr.write(`${color.red('shelf:')} unexpected error: ${(err as Error).stack ?? String(err)}\n`);
    return ExitCode.USAGE;
  }
}

process.exitCode = await main(process.argv);
