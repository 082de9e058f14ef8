import { Option, type Command } from 'commander';
import { jobStates, type DescriptorAnswer, type JobSummary, type LogLine, type Me } from '@shelf/contract';
import { CliError } from '../cliError.js';
import { connect, outputOf } from '../context.js';
import { ExitCode } from '../exitCodes.js';
import { readRest } from '../followJob.js';
import { buildInputs, collectPair } from '../inputs.js';
import { itemPath, parseItemRef } from '../itemRef.js';
import { shortTime, type Output } from '../output.js';
import { ApiError, type ShelfClient } from '../shelfClient.js';
import { watchJob } from '../watchJob.js';

const jobPath = (id: string) => `/api/jobs/${encodeURIComponent(id)}`;

export function addJobCommands(program: Command): void {
  program
    .command('run')
    .description('run an item: submit a job, and optionally wait for it or follow its log')
    .argument('<item>', 'ITEM or ITEM@VERSION (default: latest)')
    .option('-i, --input <key=value>', "an input, read by its field's type (numbers, booleans, JSON for objects and arrays); repeatable", collectPair, [])
    .option('-f, --file <inputs.json>', 'the inputs as one JSON object (-i values go on top)')
    .option('--wait', 'wait for the job to end; print its outputs')
    .option('--follow', 'stream the log live until the job ends; print its outputs')
    .addHelpText(
      'after',
      `
Inputs are checked by Shelf against the item's schema (defaults applied); a refusal lists each
field's problem, as the form shows it, and exits 2. With --wait or --follow the exit code mirrors
the job: 0 SUCCEEDED, 1 FAILED, 3 CANCELLED/REJECTED/EXPIRED; its outputs are printed as JSON.
Without them, the job id is printed.

Examples:
  $ shelf run hello-world -i name=Ada -i times=3 --follow
  $ shelf run provision-database@2.0.0 -f inputs.json --wait
  $ shelf run service-skeleton -i 'features=["ci","docker"]' --wait --json`,
    )
    .action(async (item: string, opts: { input: string[]; file?: string; wait?: boolean; follow?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const ref = parseItemRef(item);
      const client = await connect();
      const descriptor = await client.get<DescriptorAnswer>(`/api/catalog/${itemPath(ref)}/descriptor`);
      const inputs = await buildInputs(descriptor.schema, opts.input, opts.file);
      let id: string;
      try {
        ({ id } = await client.post<{ id: string }>('/api/jobs', { itemId: ref.id, version: descriptor.manifest.version, inputs }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 422) {
          throw new CliError(`${ref.id}@${descriptor.manifest.version}: ${err.message}`, ExitCode.USAGE, err.problems);
        }
        throw err;
      }
      if (!opts.wait && !opts.follow) {
        if (out.json) return out.data({ id });
        if (!out.tty) return out.line(id);
        out.line(`submitted job ${out.color.bold(id)}; follow it with \`shelf logs ${id} --follow\``);
        return;
      }
      if (!out.json && process.stderr.isTTY) out.note(out.color.dim(`job ${id} submitted`));
      process.exitCode = await watchJob(client, out, id, { logs: Boolean(opts.follow) });
    });

  program
    .command('jobs')
    .description('list jobs, newest first')
    .addOption(new Option('--state <state>', 'only jobs in this state').choices(jobStates))
    .option('--item <id>', 'only jobs of this item')
    .option('--mine', 'only jobs you submitted (what non-admins see anyway)')
    .option('-n, --limit <n>', 'how many', (v) => positive('--limit', v), 20)
    .addHelpText('after', '\nExamples:\n  $ shelf jobs --state FAILED\n  $ shelf jobs --item hello-world --mine -n 5')
    .action(async (opts: { state?: string; item?: string; mine?: boolean; limit: number }, cmd: Command) => {
      const out = outputOf(cmd);
      const client = await connect();
      const jobs = await listJobs(client, opts);
      if (out.json) return out.data(jobs);
      out.table(jobs, [
        { title: 'ID', cell: (j) => j.id },
        { title: 'ITEM', cell: (j) => `${j.itemId}@${j.version}` },
        { title: 'STATE', cell: (j) => stateText(out, j) },
        { title: 'PROGRESS', cell: (j) => `${Math.round(j.progress.percent)}%` },
        { title: 'CREATED', cell: (j) => shortTime(j.createdAt) },
        { title: 'BY', cell: (j) => j.submittedBy?.username ?? '' },
        { title: 'ERROR', cell: (j) => (j.error ? `${j.error.code} ${j.error.message}` : '') },
      ]);
    });

  program
    .command('logs')
    .description("print a job's log; --follow streams it until the job ends")
    .argument('<job>', 'the job id')
    .option('--follow', 'stream live until the job ends; exit code mirrors the job')
    .addHelpText('after', '\nExamples:\n  $ shelf logs 01HX…\n  $ shelf logs 01HX… --follow')
    .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const client = await connect();
      if (opts.follow) {
        process.exitCode = await watchJob(client, out, id, { logs: true });
        return;
      }
      const lines: LogLine[] = [];
      await readRest(client, id, (l) => (out.json ? lines.push(l as LogLine) : (l.stream === 'stdout' ? out.stdout : out.stderr).write(`${l.line}\n`)), { lastSeq: 0 });
      if (out.json) out.data(lines);
    });

  program
    .command('retry')
    .description('run a FAILED, CANCELLED, REJECTED or EXPIRED job again (same bundle, same inputs)')
    .argument('<job>', 'the job id')
    .addHelpText('after', '\nExample:\n  $ shelf retry 01HX…')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const { id: newId } = await (await connect()).post<{ id: string }>(`${jobPath(id)}/retry`);
      if (out.json) return out.data({ id: newId, retryOf: id });
      out.line(out.tty ? `retrying ${id} as job ${out.color.bold(newId)}` : newId);
    });

  program
    .command('cancel')
    .description('cancel a job that is queued, running or awaiting approval')
    .argument('<job>', 'the job id')
    .addHelpText('after', '\nExample:\n  $ shelf cancel 01HX…')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd);
      const job = await (await connect()).post<JobSummary>(`${jobPath(id)}/cancel`);
      if (out.json) return out.data(job);
      out.line(`job ${job.id} ${stateText(out, job)}`);
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`${decision} a job awaiting approval`)
      .argument('<job>', 'the job id')
      .option('-m, --comment <text>', 'why (shown on the job and sent to the submitter)')
      .addHelpText('after', `\nExample:\n  $ shelf ${decision} 01HX… -m "${decision === 'approve' ? 'ok for tonight' : 'not during the freeze'}"`)
      .action(async (id: string, opts: { comment?: string }, cmd: Command) => {
        const out = outputOf(cmd);
        const job = await (await connect()).post<JobSummary>(`${jobPath(id)}/${decision}`, opts.comment ? { comment: opts.comment } : {});
        if (out.json) return out.data(job);
        out.line(`job ${job.id} is ${stateText(out, job)}`);
      });
  }
}

function positive(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new CliError(`${flag} ${raw}: give a whole number from 1 to 100`);
  return n;
}

/** `GET /api/jobs` filtered; `--mine` filters by submitter here, since the API scopes only non-admins. */
async function listJobs(client: ShelfClient, opts: { state?: string; item?: string; mine?: boolean; limit: number }): Promise<JobSummary[]> {
  const query = new URLSearchParams({ pageSize: String(opts.mine ? 100 : opts.limit) });
  if (opts.state) query.set('state', opts.state);
  if (opts.item) query.set('itemId', opts.item);
  const page = await client.get<{ items: JobSummary[] }>(`/api/jobs?${query}`);
  if (!opts.mine) return page.items;
  const me = await client.get<Me>('/api/me');
  return page.items.filter((j) => j.submittedBy?.id === me.id).slice(0, opts.limit);
}

function stateText(out: Output, job: JobSummary): string {
  const c = out.color;
  const paint = { SUCCEEDED: c.green, FAILED: c.red, RUNNING: c.cyan, QUEUED: c.blue, AWAITING_APPROVAL: c.yellow }[job.state as string] ?? c.dim;
  return paint(job.state);
}
