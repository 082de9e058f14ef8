import { Link } from 'react-router-dom';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { SchedulesTable } from '../components/SchedulesTable/SchedulesTable';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { useSchedules } from '../hooks/useSchedules';
import { can } from '../lib/permissions';

/** Schedules: the signed-in user's (an admin's: everyone's), with their next and last runs, kept fresh. */
export default function SchedulesPage() {
  useDocumentTitle('Schedules');
  const { data: me } = useMe();
  const admin = can(me, 'administer').allowed;
  const schedules = useSchedules();
  const stopped = schedules.data?.filter((s) => s.stoppedReason && !s.enabled).length ?? 0;
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Schedules</h1>
        <p className="muted mt-1 text-sm">
          Items that run on a timetable, each as its owner. {admin ? 'Everyone’s schedules are listed.' : 'Yours are listed.'} Add one from an
          item’s page.
        </p>
      </div>
      {stopped > 0 && (
        <p className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100" data-testid="stopped-summary">
          {stopped === 1 ? 'One schedule stopped by itself' : `${stopped} schedules stopped by themselves`}: the reason is in its row. Resume it once
          its owner may run the item again.
        </p>
      )}
      {schedules.isPending ? (
        <Loading label="Loading the schedules…" />
      ) : schedules.isError ? (
        <ErrorMessage error={schedules.error} title="Could not load the schedules" onRetry={() => void schedules.refetch()} />
      ) : !schedules.data.length ? (
        <div className="card p-8 text-center text-sm" data-testid="schedules-empty">
          No schedules yet. Open an item in the{' '}
          <Link to="/" className="link">
            catalog
          </Link>
          , fill in its form and choose “Schedule these inputs…”.
        </div>
      ) : (
        <SchedulesTable schedules={schedules.data} showOwner={admin} />
      )}
    </>
  );
}
