import type { Schedule } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { useMe } from '../../hooks/useMe';
import { useSchedules } from '../../hooks/useSchedules';
import { can, canRunItem } from '../../lib/permissions';
import { ErrorMessage, Loading } from '../QueryState/QueryState';
import { ScheduleToggle } from '../ScheduleActions/ScheduleActions';
import { ScheduleForm } from '../ScheduleForm/ScheduleForm';
import { ScheduleStatus } from '../ScheduleStatus/ScheduleStatus';
import { LastRun, NextRun, Timetable } from '../SchedulesTable/SchedulesTable';

interface Props {
  itemId: string;
  version: string;
  /** The run form's inputs as they are now: what "Schedule these inputs…" schedules. */
  inputs: Record<string, unknown>;
}

/**
 * An item's schedules (the signed-in user's; an admin's: all) with their next and last runs, and
 * a disclosure that schedules the run form's current inputs. Only for those who may run the item.
 */
export function ItemSchedules({ itemId, version, inputs }: Props) {
  const headingId = useId();
  const formId = useId();
  const [open, setOpen] = useState(false);
  const { data: me } = useMe();
  const mayRun = can(me, 'run').allowed;
  // The item page asks for the same descriptor: this shares its answer (and its `canRun`).
  const descriptor = useQuery({
    queryKey: queryKeys.descriptor(itemId, version),
    queryFn: ({ signal }) => api.descriptor(itemId, version, signal),
    enabled: mayRun,
  });
  const ofItem = useCallback((all: Schedule[]) => all.filter((s) => s.itemId === itemId), [itemId]);
  const schedules = useSchedules({ select: ofItem, enabled: mayRun });

  // Nothing until the item said whether this user may run it (a failed answer leaves it to the role).
  if (descriptor.isPending || !canRunItem(me, descriptor.data?.canRun).allowed) return null;
  return (
    <section aria-labelledby={headingId} className="card p-5" data-testid="item-schedules">
      <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={headingId} className="text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">
          Schedules
        </h2>
        <Link to="/schedules" className="link text-sm">
          All schedules
        </Link>
      </div>
      {schedules.isPending ? (
        <Loading label="Loading the schedules…" />
      ) : schedules.isError ? (
        <ErrorMessage error={schedules.error} title="Could not load the schedules" onRetry={() => void schedules.refetch()} />
      ) : !schedules.data.length ? (
        <p className="muted text-sm">This item runs on no schedule of yours.</p>
      ) : (
        <ul className="flex flex-col divide-y divide-slate-100 dark:divide-slate-800" aria-label={`Schedules of ${itemId}`}>
          {schedules.data.map((s) => (
            <li key={s.id} className="flex flex-wrap items-start gap-x-6 gap-y-2 py-3 text-sm" data-testid="item-schedule" data-schedule-id={s.id}>
              <div className="min-w-40 flex-1">
                <p className="font-medium break-words">{s.name}</p>
                <Timetable schedule={s} />
              </div>
              <div>
                <p className="muted text-xs">Next run</p>
                <NextRun schedule={s} />
              </div>
              <div>
                <p className="muted text-xs">Last run</p>
                <LastRun schedule={s} />
              </div>
              <div className="flex flex-col items-start gap-2">
                <ScheduleStatus schedule={s} />
                <ScheduleToggle schedule={s} />
              </div>
            </li>
          ))}
        </ul>
      )}
      <div className="mt-4">
        <button type="button" className="btn-secondary" aria-expanded={open} aria-controls={formId} onClick={() => setOpen((o) => !o)}>
          Schedule these inputs…
        </button>
        <div id={formId} hidden={!open} className="mt-4">
          {open && <ScheduleForm itemId={itemId} version={version} inputs={inputs} />}
        </div>
      </div>
    </section>
  );
}
