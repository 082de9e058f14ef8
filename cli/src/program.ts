import { Argument, Command } from 'commander';
import { addAuthCommands } from './commands/auth.js';
import { addCatalogCommands } from './commands/catalog.js';
import { addItemFolderCommands } from './commands/itemFolder.js';
import { addJobCommands } from './commands/jobs.js';
import { bashCompletion, zshCompletion } from './completion.js';
import { exitCodesHelp } from './exitCodes.js';

declare const SHELF_CLI_VERSION: string | undefined;

/** The whole command tree; main.ts runs it, completion reads it. */
export function createProgram(): Command {
  const program = new Command('shelf')
    .description('Shelf from a terminal: check, pack and publish catalog items; run jobs and follow them')
    .version(typeof SHELF_CLI_VERSION === 'string' ? SHELF_CLI_VERSION : 'dev')
    .option('--json', 'print machine-readable JSON instead of text')
    .showHelpAfterError('(add --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .exitOverride();
  program.addHelpText(
    'after',
    `
Shelf is found through the stored login (\`shelf login\`), or SHELF_URL and SHELF_TOKEN, which win.
On a terminal output is coloured and aligned; in a pipe it is plain (tab-separated tables).

Examples:
  $ shelf login --url http://127.0.0.1:8080
  $ shelf validate ./hello-world && shelf push ./hello-world
  $ shelf run hello-world -i name=Ada --follow
  $ shelf jobs --state FAILED --mine

${exitCodesHelp}`,
  );

  addAuthCommands(program);
  addItemFolderCommands(program);
  addCatalogCommands(program);
  addJobCommands(program);

  program
    .command('completion')
    .description('print a shell completion script')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh']))
    .addHelpText(
      'after',
      `
Examples:
  $ shelf completion bash > ~/.local/share/bash-completion/completions/shelf
  $ shelf completion zsh > "\${fpath[1]}/_shelf"
  $ source <(shelf completion bash)`,
    )
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(shell === 'bash' ? bashCompletion(program) : zshCompletion(program));
    });

  return program;
}
