import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { formatBytes, type ImportResult, type Problem } from '@shelf/contract';
import { CliError } from '../cliError.js';
import { connect, outputOf } from '../context.js';
import { ExitCode } from '../exitCodes.js';
import { checkFolder, packTo, packToTemp, requireValid } from '../itemFolder.js';
import { ApiError } from '../shelfClient.js';
import { uploadProgress } from '../progress.js';

export function addItemFolderCommands(program: Command): void {
  program
    .command('validate')
    .description("check an item folder exactly as Shelf's import does, offline")
    .argument('<dir>', 'the item folder (holding manifest.yaml, schema.json…)')
    .option('--tag <tag>', 'the Git tag it will be published with (<item-id>@<semver>): its version decides, as on a tag push')
    .addHelpText(
      'after',
      `
Runs the server's own checks (the bundle rules, the manifest, the input schema, the uiSchema) with
no network: every problem is listed with its file and JSON path, and the exit code is 1 if there
is any. --json prints { ok, item, problems }.

Examples:
  $ shelf validate catalog-examples/hello-world
  $ shelf validate hello-world --tag hello-world@1.3.0
  $ shelf validate hello-world --json | jq '.problems[]'`,
    )
    .action(async (dir: string, opts: { tag?: string }, cmd: Command) => {
      const out = outputOf(cmd);
      const check = await checkFolder(dir, opts.tag);
      if (out.json) {
        out.data(check.ok ? { ok: true, item: itemOf(check.item.manifest), problems: [] } : { ok: false, message: check.message, problems: check.problems });
      } else if (check.ok) {
        out.line(`${out.color.green('✓')} ${check.item.manifest.id}@${check.item.manifest.version} is valid (${check.entries.filter((e) => e.type === 'file').length} files)`);
      } else {
        reportProblems(out, `${dir}: ${check.message}`, check.problems);
      }
      if (!check.ok) process.exitCode = ExitCode.FAILED;
    });

  program
    .command('pack')
    .description('build the deterministic bundle Shelf would store, and print its digest')
    .argument('<dir>', 'the item folder')
    .requiredOption('-o, --output <file>', 'where to write the .tar.gz (replaced if it exists)')
    .addHelpText(
      'after',
      `
The same folder always packs to the same bytes (fixed times and modes, sorted entries), and
Shelf re-packs what it imports the same way: the digest printed is the one Shelf will show.
Plain output is the digest alone.

Examples:
  $ shelf pack hello-world -o hello-world.tar.gz
  $ digest=$(shelf pack hello-world -o /tmp/h.tar.gz)`,
    )
    .action(async (dir: string, opts: { output: string }, cmd: Command) => {
      const out = outputOf(cmd);
      const check = await requireValid(dir);
      const packed = await packTo(dir, check, opts.output);
      const { id, version } = check.item.manifest;
      if (out.json) return out.data({ id, version, file: opts.output, digest: packed.digest, size: packed.size });
      if (!out.tty) return out.line(packed.digest);
      out.line(`packed ${id}@${version} → ${opts.output} (${formatBytes(packed.size)})`);
      out.line(`digest ${out.color.bold(packed.digest)}`);
    });

  program
    .command('push')
    .description('publish an item folder (packed first) or a .tar.gz bundle')
    .argument('<path>', 'an item folder or a .tar.gz bundle')
    .addHelpText(
      'after',
      `
Uploads to POST /api/catalog/bundle/upload (needs the publisher role). A folder is validated and
packed first, so nothing invalid leaves your machine. Prints "created" for a new version,
"unchanged" when that version already holds the same files; a version that exists with other
files is refused (409, exit 1): versions are immutable, bump the version.

Examples:
  $ shelf push hello-world
  $ shelf push hello-world-1.2.0.tar.gz`,
    )
    .action(async (target: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const info = await stat(target).catch(() => undefined);
      if (!info) throw new CliError(`${target}: no such file or folder; give an item folder or a .tar.gz bundle`);
      const client = await connect();
      let file = target;
      let cleanup = async () => {};
      if (info.isDirectory()) {
        const packed = await packToTemp(target, await requireValid(target));
        file = packed.file;
        cleanup = packed.cleanup;
      }
      try {
        const progress = uploadProgress(out);
        let answer: { status: number; body: ImportResult };
        try {
          answer = await client.uploadBundle<ImportResult>(file, progress.update);
        } catch (err) {
          throw refusal(err);
        } finally {
          progress.stop();
        }
        const r = answer.body;
        if (out.json) return out.data(r);
        const word = r.status === 'created' ? out.color.green('created') : out.color.yellow('unchanged');
        out.line(`${word} ${r.id}@${r.version} ${out.color.dim(`sha256:${r.digest}`)}`);
      } finally {
        await cleanup();
      }
    });
}

/** A push refused for its content (409 version conflict, 422 invalid bundle) fails like `validate` does: exit 1. */
function refusal(err: unknown): unknown {
  if (err instanceof ApiError && (err.status === 409 || err.status === 422)) {
    const entry = (err.details as { entry?: string } | undefined)?.entry;
    const problems: Problem[] = err.problems.length ? err.problems : entry ? [{ file: entry, path: '', message: err.message }] : [];
    return new CliError(`refused: ${err.message}`, ExitCode.FAILED, problems);
  }
  return err;
}

function itemOf(manifest: { id: string; version: string; name: string }) {
  return { id: manifest.id, version: manifest.version, name: manifest.name };
}

function reportProblems(out: ReturnType<typeof outputOf>, message: string, problems: Problem[]): void {
  out.line(`${out.color.red('✗')} ${message}`);
  out.problems(problems, out.stdout);
}
