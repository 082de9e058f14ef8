import type { Schedule } from '@shelf/contract';
import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import { RunTime } from '../RunTime/RunTime';
import { ScheduleActions } from '../ScheduleActions/ScheduleActions';
import { ScheduleDetails } from '../ScheduleDetails/ScheduleDetails';
import { ScheduleRunOutcome } from '../ScheduleRunOutcome/ScheduleRunOutcome';
import { ScheduleStatus } from '../ScheduleStatus/ScheduleStatus';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-top';

/** The cron expression as written, in the time zone it is read in. */
export function Timetable({ schedule }: { schedule: Pick<Schedule, 'cron' | 'timezone'> }) {
  return (
    <span className="block">
      <code className="rounded bg-slate-100 px-1 font-mono text-xs whitespace-nowrap dark:bg-slate-800">{schedule.cron}</code>
      <span className="muted block text-xs">{schedule.timezone}</span>
    </span>
  );
}

/** When it runs next, or why it does not. */
export function NextRun({ schedule }: { schedule: Schedule }) {
  const next = schedule.nextRuns[0];
  if (next) return <RunTime at={next} />;
  return <span className="muted text-xs">{schedule.enabled ? '—' : 'not while paused'}</span>;
}

/** When it last ran and what became of it. */
export function LastRun({ schedule }: { schedule: Schedule }) {
  if (!schedule.lastRun) return <span className="muted text-xs">never</span>;
  return (
    <span className="flex flex-col items-start gap-1">
      <ScheduleRunOutcome run={schedule.lastRun} />
      <span className="muted text-xs">
        <RunTime at={schedule.lastRun.at} inline />
      </span>
    </span>
  );
}

/** Schedules, one row each; a row opens onto its next five and its recent runs. */
export function SchedulesTable({ schedules, showOwner }: { schedules: Schedule[]; showOwner: boolean }) {
  const [open, setOpen] = useState<string | undefined>();
  const columns = showOwner ? 9 : 8;
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[56rem] border-collapse text-sm">
        <caption className="sr-only">Schedules</caption>
        <thead className="border-b border-slate-200 dark:border-slate-800">
          <tr>
            <th scope="col" className={th}>Name</th>
            <th scope="col" className={th}>Item</th>
            <th scope="col" className={th}>Version</th>
            <th scope="col" className={th}>Timetable</th>
            <th scope="col" className={th}>Next run</th>
            <th scope="col" className={th}>Last run</th>
            {showOwner && <th scope="col" className={th}>Owner</th>}
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Actions</th>
          </tr>
        </thead>
        <tbody>
          {schedules.map((s) => {
            const expanded = open === s.id;
            const detailsId = `schedule-runs-${s.id}`;
            return (
              <Fragment key={s.id}>
                <tr data-testid="schedule-row" data-schedule-id={s.id} className="border-b border-slate-100 last:border-0 dark:border-slate-800">
                  <td className={`${td} font-medium break-words`}>{s.name}</td>
                  <td className={td}>
                    <Link to={`/catalog/${encodeURIComponent(s.itemId)}`} className="link">
                      {s.itemId}
                    </Link>
                  </td>
                  <td className={`${td} font-mono text-xs`}>{s.version}</td>
                  <td className={td}>
                    <Timetable schedule={s} />
                  </td>
                  <td className={td} data-testid="next-run">
                    <NextRun schedule={s} />
                  </td>
                  <td className={td} data-testid="last-run">
                    <LastRun schedule={s} />
                  </td>
                  {showOwner && <td className={`${td} break-all`}>{s.owner.username}</td>}
                  <td className={td}>
                    <ScheduleStatus schedule={s} />
                  </td>
                  <td className={td}>
                    <ScheduleActions schedule={s} />
                    <button
                      type="button"
                      className="btn-secondary mt-2 px-2 py-1 text-xs whitespace-nowrap"
                      aria-expanded={expanded}
                      aria-controls={expanded ? detailsId : undefined}
                      onClick={() => setOpen(expanded ? undefined : s.id)}
                    >
                      {expanded ? 'Hide runs' : 'Runs'} <span className="sr-only">of {s.name}</span>
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr id={detailsId} className="border-b border-slate-100 bg-slate-50 last:border-0 dark:border-slate-800 dark:bg-slate-950">
                    <td colSpan={columns} className="px-3 py-3">
                      <ScheduleDetails schedule={s} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
