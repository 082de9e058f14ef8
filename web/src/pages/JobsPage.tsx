import { jobStates, type JobState } from '@shelf/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { JobsTable } from '../components/JobsTable/JobsTable';
import { Pagination } from '../components/Pagination/Pagination';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { pageSizes, useJobsUrlState } from '../hooks/useJobsUrlState';
import { stateLabel } from '../lib/format';

export default function JobsPage() {
  useDocumentTitle('Jobs');
  const [url, update] = useJobsUrlState();
  const [text, setText] = useState(url.q);
  const debounced = useDebouncedValue(text.trim(), 300);
  const [retried, setRetried] = useState<string | null>(null);

  // Typing writes the URL once it pauses (only a new debounced value may write it); back/forward writes the box.
  useEffect(() => {
    if (debounced !== url.q) update({ q: debounced }, { replace: true });
  }, [debounced]);
  useEffect(() => setText((current) => (current.trim() === url.q ? current : url.q)), [url.q]);

  const query = { state: url.state, q: url.q, itemId: url.itemId, page: url.page, pageSize: url.pageSize };
  const jobs = useQuery({
    queryKey: queryKeys.jobList(query),
    queryFn: ({ signal }) => api.jobs(query, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Jobs</h1>
        <p className="muted mt-1 text-sm">Every run, newest first. Rows update live.</p>
      </div>

      <form role="search" className="mb-4 flex flex-wrap items-end gap-3" onSubmit={(e) => e.preventDefault()}>
        <div className="w-full sm:w-72">
          <label htmlFor="jobs-search" className="label">
            Search
          </label>
          <input
            id="jobs-search"
            type="search"
            className="input"
            placeholder="Job id, item id or name"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="jobs-state" className="label">
            State
          </label>
          <select
            id="jobs-state"
            className="input"
            value={url.state ?? ''}
            onChange={(e) => update({ state: (e.target.value || undefined) as JobState | undefined })}
          >
            <option value="">All states</option>
            {jobStates.map((s) => (
              <option key={s} value={s}>
                {stateLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="jobs-page-size" className="label">
            Per page
          </label>
          <select id="jobs-page-size" className="input" value={url.pageSize} onChange={(e) => update({ pageSize: Number(e.target.value) })}>
            {pageSizes.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        {url.itemId && (
          <p className="text-sm">
            Item <span className="font-mono">{url.itemId}</span>{' '}
            <button type="button" className="link" onClick={() => update({ itemId: undefined })}>
              (show all items)
            </button>
          </p>
        )}
      </form>

      {retried && (
        <p role="status" className="mb-4 rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
          Retry queued as{' '}
          <Link to={`/jobs/${encodeURIComponent(retried)}`} className="link font-mono">
            {retried}
          </Link>
          .
        </p>
      )}

      {jobs.isPending ? (
        <Loading label="Loading jobs…" />
      ) : jobs.isError ? (
        <ErrorMessage error={jobs.error} title="Could not load the jobs" onRetry={() => void jobs.refetch()} />
      ) : jobs.data.items.length === 0 ? (
        <div className="card p-8 text-center text-sm">
          {url.q || url.state || url.itemId ? (
            'No job matches these filters.'
          ) : (
            <>
              No jobs yet.{' '}
              <Link to="/" className="link">
                Run something from the catalog
              </Link>
              .
            </>
          )}
        </div>
      ) : (
        <div className={`flex flex-col gap-4 ${jobs.isPlaceholderData ? 'opacity-60' : ''}`} aria-busy={jobs.isFetching}>
          <JobsTable jobs={jobs.data.items} onRetried={setRetried} />
          <Pagination page={url.page} pageSize={url.pageSize} total={jobs.data.total} onPage={(page) => update({ page })} />
        </div>
      )}
    </>
  );
}
