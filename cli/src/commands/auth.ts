import type { Command } from 'commander';
import type { Me } from '@shelf/contract';
import { CliError } from '../cliError.js';
import { configPath, normaliseUrl, readLogin, removeLogin, resolveTarget, writeLogin } from '../config.js';
import { connect, outputOf } from '../context.js';
import { promptHidden, readStdin } from '../readSecret.js';
import { ShelfClient } from '../shelfClient.js';

export function addAuthCommands(program: Command): void {
  program
    .command('login')
    .description('check an API token against Shelf and store it (config file mode 0600)')
    .option('--url <url>', "Shelf's address (default: SHELF_URL, or the stored login's)")
    .option('--token-stdin', 'read the token from stdin instead of asking for it')
    .addHelpText(
      'after',
      `
Create a token in Shelf's Settings page (or POST /api/tokens). It is checked with GET /api/me and
stored in $XDG_CONFIG_HOME/shelf/config.json (~/.config/shelf/config.json). SHELF_URL and
SHELF_TOKEN, when set, win over the stored login.

Examples:
  $ shelf login --url https://shelf.example.com
  $ echo "$SHELF_TOKEN" | shelf login --url http://127.0.0.1:8080 --token-stdin`,
    )
    .action(async (opts: { url?: string; tokenStdin?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const rawUrl = opts.url ?? process.env.SHELF_URL ?? (await readLogin())?.url;
      if (!rawUrl) throw new CliError('which Shelf? run `shelf login --url URL`');
      const url = normaliseUrl(rawUrl);
      const token = opts.tokenStdin ? await readStdin() : await promptHidden(`API token for ${url}: `);
      if (!token) throw new CliError('no token given: paste the token Shelf showed when you created it (Settings → API tokens)');
      const me = await new ShelfClient({ url, token }).get<Me>('/api/me');
      await writeLogin({ url, token });
      if (out.json) return out.data({ url, username: me.username, role: me.role, config: configPath() });
      out.line(`logged in to ${url} as ${out.color.bold(me.username)} (${me.role}); stored in ${configPath()}`);
    });

  program
    .command('whoami')
    .description('who the token is, and where')
    .addHelpText('after', '\nExample:\n  $ shelf whoami')
    .action(async (_opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const client = await connect();
      const me = await client.get<Me>('/api/me');
      if (out.json) return out.data({ url: client.target.url, ...me });
      out.line(`${out.color.bold(me.username)} (${me.role}) at ${client.target.url}`);
    });

  program
    .command('logout')
    .description('forget the stored login (the token stays valid until revoked in Settings)')
    .addHelpText('after', '\nExample:\n  $ shelf logout')
    .action(async (_opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const target = await resolveTarget().catch(() => undefined);
      const removed = await removeLogin();
      if (out.json) return out.data({ removed, config: configPath() });
      out.line(removed ? `forgot the login to ${target?.url ?? 'Shelf'}; revoke the token in Shelf's Settings if it should stop working` : 'not logged in');
    });
}
