import { finishedStates, formatBytes, type JobDetail } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import type { MouseEvent, ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ApprovalPanel } from '../components/ApprovalPanel/ApprovalPanel';
import { FailureBanner } from '../components/FailureBanner/FailureBanner';
import { JobActions } from '../components/JobActions/JobActions';
import { LogViewer } from '../components/LogViewer/LogViewer';
import { OutputsView } from '../components/OutputsView/OutputsView';
import { ProgressBar } from '../components/ProgressBar/ProgressBar';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { StateBadge } from '../components/StateBadge/StateBadge';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { useNow } from '../hooks/useNow';
import { formatDateTime, formatDuration, jobDuration, shortJobId } from '../lib/format';
import { can } from '../lib/permissions';

/** The log's card: "Jump to log" moves focus there. */
const logAnchor = 'job-log';

/** Scrolls to the log and moves focus onto it, so the keyboard carries on from there. */
function jumpToLog(event: MouseEvent<HTMLAnchorElement>) {
  const log = document.getElementById(logAnchor);
  if (!log) return;
  event.preventDefault();
  log.scrollIntoView?.({ block: 'start' });
  log.focus({ preventScroll: true });
}

function Card({ title, children, className = '', anchor }: { title: string; children: ReactNode; className?: string; anchor?: string }) {
  const id = `card-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section
      aria-labelledby={id}
      id={anchor}
      tabIndex={anchor ? -1 : undefined}
      className={`card min-w-0 scroll-mt-4 p-5 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none ${className}`}
    >
      <h2 id={id} className="mb-3 text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="muted">{term}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function Timings({ job }: { job: JobDetail }) {
  const now = useNow(job.state === 'RUNNING');
  const duration = jobDuration(job, now);
  return (
    <Facts
      rows={[
        ['Created', formatDateTime(job.createdAt)],
        ['Started', formatDateTime(job.startedAt)],
        ['Finished', formatDateTime(job.finishedAt)],
        ['Duration', <span className="tabular-nums">{duration === null ? '—' : formatDuration(duration)}</span>],
        ['Exit code', job.exitCode ?? '—'],
        [
          'Retry of',
          job.retryOf ? (
            <Link to={`/jobs/${encodeURIComponent(job.retryOf)}`} className="link font-mono text-xs">
              {job.retryOf}
            </Link>
          ) : (
            '—'
          ),
        ],
        [
          'Re-run of',
          job.rerunOf ? (
            <>
              job{' '}
              <Link to={`/jobs/${encodeURIComponent(job.rerunOf)}`} className="link font-mono text-xs" title={job.rerunOf} aria-label={`job ${job.rerunOf}`}>
                {shortJobId(job.rerunOf)}
              </Link>
            </>
          ) : (
            '—'
          ),
        ],
      ]}
    />
  );
}

/** The schedule that started a job, by name when the viewer may see it (its owner or an admin). */
function ScheduledBy({ scheduleId }: { scheduleId: string }) {
  const schedule = useQuery({ queryKey: queryKeys.schedule(scheduleId), queryFn: ({ signal }) => api.schedule(scheduleId, signal) });
  // Others get a 404 for it (and the name is on its way meanwhile): the job still says a schedule started it.
  if (!schedule.data) return <>started by a schedule</>;
  return (
    <>
      scheduled by{' '}
      <Link to="/schedules" className="link">
        {schedule.data.name}
      </Link>
    </>
  );
}

/** The item's page with this job's version and inputs loaded, to change them and run again. */
function rerunPath(job: Pick<JobDetail, 'id' | 'itemId' | 'version'>): string {
  const params = new URLSearchParams({ version: job.version, rerun: job.id });
  return `/catalog/${encodeURIComponent(job.itemId)}?${params}`;
}

export default function JobPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const job = useQuery({
    queryKey: queryKeys.job(id),
    queryFn: ({ signal }) => api.job(id, signal),
    // Live events move the state; why a queued job waits (no worker with its labels) changes with the fleet, so it is looked at again.
    refetchInterval: (query) => (query.state.data?.state === 'QUEUED' ? 5000 : false),
  });
  const { data: me } = useMe();
  useDocumentTitle(job.data ? `${job.data.itemName} job ${job.data.state.toLowerCase()}` : 'Job');

  if (job.isPending) return <Loading label="Loading the job…" />;
  if (job.isError) return <ErrorMessage error={job.error} title="Could not load this job" onRetry={() => void job.refetch()} />;

  const j = job.data;
  const finished = finishedStates.includes(j.state);
  return (
    <>
      <nav aria-label="Breadcrumb" className="muted mb-3 text-sm">
        <Link to="/jobs" className="link">
          Jobs
        </Link>{' '}
        <span aria-hidden="true">/</span> <span className="font-mono">{j.id}</span>
      </nav>

      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight break-words">
            <Link to={`/catalog/${encodeURIComponent(j.itemId)}?version=${encodeURIComponent(j.version)}`} className="hover:underline">
              {j.itemName}
            </Link>{' '}
            <span className="muted font-mono text-lg font-normal">@{j.version}</span>
          </h1>
          <p className="muted mt-1 text-xs break-all">
            <span className="font-mono">job {j.id}</span> ·{' '}
            <span data-testid="job-submitter">
              {j.submittedBy ? (
                <>
                  submitted by <span className="font-medium text-slate-800 dark:text-slate-200">{j.submittedBy.username}</span>
                </>
              ) : (
                'submitter not recorded'
              )}
            </span>
            {j.scheduleId && (
              <>
                {' '}
                ·{' '}
                <span data-testid="job-schedule">
                  <ScheduledBy scheduleId={j.scheduleId} />
                </span>
              </>
            )}
          </p>
        </div>
        <div className="flex flex-wrap items-start gap-2">
          {can(me, 'run').allowed && (
            <Link to={rerunPath(j)} className="btn-secondary">
              Run again with changes
            </Link>
          )}
          <JobActions job={j} onRetried={(newId) => navigate(`/jobs/${encodeURIComponent(newId)}`)} />
        </div>
      </div>

      <section aria-label="Status" className="card mb-6 p-5">
        <div className="mb-3 flex flex-wrap items-center gap-3">
          <StateBadge state={j.state} />
          <span className="text-sm tabular-nums">{Math.round(j.progress.percent)}%</span>
          {j.progress.message && <span className="muted min-w-0 truncate text-sm">{j.progress.message}</span>}
          <a href={`#${logAnchor}`} onClick={jumpToLog} className="link ml-auto text-sm">
            Jump to log
          </a>
        </div>
        <p className="sr-only" aria-live="polite" aria-atomic="true" data-testid="job-state-announcement">
          Job {j.state.toLowerCase()}
          {j.error ? `: ${j.error.message}` : ''}
        </p>
        <ProgressBar percent={j.progress.percent} state={j.state} label="Job progress" />
        {j.state === 'QUEUED' && j.waitingFor && (
          <p
            role="status"
            data-testid="job-waiting-for"
            className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          >
            <span className="font-semibold">Not started yet</span> — <span className="break-words">{j.waitingFor.reason}</span>. It starts as soon as such a worker is running; an admin can see the workers and their labels on the Workers page.
          </p>
        )}
        <FailureBanner job={j} />
      </section>

      <ApprovalPanel job={j} />

      <div className="mb-6 grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Outputs">
          <OutputsView
            values={j.outputs}
            empty={finished ? 'This job produced no outputs.' : 'Outputs appear when the job finishes.'}
            secretTitle="masked: it held a secret"
          />
        </Card>
        <Card title="Inputs">
          <OutputsView values={j.inputs} empty="No inputs." />
        </Card>
      </div>

      <Card title="Log" className="mb-6" anchor={logAnchor}>
        <LogViewer jobId={j.id} finished={finished} />
      </Card>

      <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Card title="Timings">
          <Timings job={j} />
        </Card>
        <Card title="Limits applied">
          <Facts
            rows={[
              ['Memory', j.limits ? formatBytes(j.limits.memoryBytes) : '—'],
              ['CPUs', j.limits?.cpus ?? '—'],
              ['Processes', j.limits?.pids ?? '—'],
              ['Timeout', j.limits ? formatDuration(j.limits.timeoutSeconds * 1000) : '—'],
              ['Worker', j.workerId ? <span className="font-mono text-xs break-all">{j.workerId}</span> : '—'],
              ['Runs on', j.runsOn?.length ? <span data-testid="job-runs-on">workers labelled {j.runsOn.join(', ')}</span> : 'any worker'],
              ['Bundle', <span className="font-mono text-xs break-all">{j.digest}</span>],
            ]}
          />
        </Card>
      </div>
    </>
  );
}
