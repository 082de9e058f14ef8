import type { Problem, Schedule } from '@shelf/contract';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { api, ApiError, type NewSchedule } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { useSecretMutation } from '../../hooks/useSecretMutation';
import { ProblemList } from '../ProblemList/ProblemList';
import { ErrorMessage } from '../QueryState/QueryState';
import { RunTime } from '../RunTime/RunTime';
import { TextField } from '../TextField/TextField';

interface Props {
  itemId: string;
  /** The version the inputs were written for: offered as the pinned choice (unless it is `latest`). */
  version: string;
  /** The inputs to run with; they may hold secrets, which the server seals. */
  inputs: Record<string, unknown>;
}

const fields = ['name', 'cron', 'timezone', 'version', 'enabled', 'inputs'] as const;
type Field = (typeof fields)[number];

/**
 * What the server refused, split: problems with the schedule's own fields (a 422's `request`
 * problems, a 400's `fields`) go next to them; problems with the inputs (`file: "inputs"`, whose
 * paths name inputs, not our fields) are listed as they are.
 */
function refusal(error: unknown): { byField: Partial<Record<Field, string>>; inputs: Problem[] } {
  if (!(error instanceof ApiError)) return { byField: {}, inputs: [] };
  const listed = (error.details as { fields?: unknown } | undefined)?.fields;
  const own = [...error.problems.filter((p) => p.file !== 'inputs'), ...(Array.isArray(listed) ? (listed as { path?: unknown; message?: unknown }[]) : [])];
  const byField: Partial<Record<Field, string>> = {};
  for (const { path, message } of own) {
    const name = typeof path === 'string' ? path.split('/').find(Boolean) : undefined;
    if (name && (fields as readonly string[]).includes(name) && typeof message === 'string') byField[name as Field] ??= message;
  }
  return { byField, inputs: error.problems.filter((p) => p.file === 'inputs') };
}

function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  // Some engines leave UTC out of the list although every one accepts it.
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const examples: [string, string][] = [
  ['0 9 * * 1-5', 'weekdays at 9:00'],
  ['*/15 * * * *', 'every 15 minutes'],
  ['30 6 1 * *', 'on the 1st of each month at 6:30'],
];

/** The schedule just created and when it runs next; focus moves here so keyboard users hear it. */
function Created({ schedule, onAgain }: { schedule: Schedule; onAgain: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section aria-labelledby="schedule-created-heading" className="card p-5" data-testid="schedule-created">
      <h3 id="schedule-created-heading" ref={heading} tabIndex={-1} className="font-semibold focus:outline-none">
        Schedule “{schedule.name}” created
      </h3>
      {schedule.nextRuns.length ? (
        <>
          <p className="muted mt-1 text-sm">
            It runs <code className="font-mono">{schedule.cron}</code> in {schedule.timezone}. The next five runs:
          </p>
          <ol className="mt-2 flex list-decimal flex-col gap-1.5 pl-6 text-sm" data-testid="created-next-runs">
            {schedule.nextRuns.map((at) => (
              <li key={at}>
                <RunTime at={at} inline />
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p className="muted mt-1 text-sm">It is paused: it runs only once resumed, or when run now, on the Schedules page.</p>
      )}
      <div className="mt-4 flex flex-wrap gap-2">
        <Link to="/schedules" className="btn-secondary">
          All schedules
        </Link>
        <button type="button" className="btn-secondary" onClick={onAgain}>
          Schedule another
        </button>
      </div>
    </section>
  );
}

/** Runs an item's inputs on a cron timetable: name, cron, time zone, version, enabled. */
export function ScheduleForm({ itemId, version, inputs }: Props) {
  const id = useId();
  const client = useQueryClient();
  const [zones] = useState(timeZones);
  const [name, setName] = useState('');
  const [cron, setCron] = useState('');
  const [timezone, setTimezone] = useState(browserZone);
  const [pinned, setPinned] = useState(false);
  const [enabled, setEnabled] = useState(true);
  // The inputs may hold secrets: see useSecretMutation.
  const create = useSecretMutation((body: NewSchedule) => api.createSchedule(body));
  const canPin = version !== 'latest';

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = name.trim();
    const body: NewSchedule = { itemId, version: pinned && canPin ? version : 'latest', inputs, cron: cron.trim(), timezone: timezone.trim(), enabled };
    const created = await create.mutate(trimmed ? { name: trimmed, ...body } : body);
    if (created) void client.invalidateQueries({ queryKey: queryKeys.schedules() });
  };

  if (create.data) {
    return (
      <Created
        schedule={create.data}
        onAgain={() => {
          create.reset();
          setName('');
        }}
      />
    );
  }

  const { byField, inputs: inputProblems } = refusal(create.error);
  const explained = Object.keys(byField).length > 0 || inputProblems.length > 0;
  const inputCount = Object.keys(inputs).length;

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" aria-label="New schedule" noValidate>
      {create.isError && !explained && <ErrorMessage error={create.error} title="Could not create the schedule" />}
      {inputProblems.length > 0 && <ProblemList problems={inputProblems} title="The inputs were refused; correct them in the form and try again" />}
      <p className="muted text-sm" data-testid="schedule-inputs">
        Runs <span className="font-mono">{itemId}</span> with the {inputCount === 1 ? 'one input' : `${inputCount} inputs`} in the form as it is now.
        {byField.inputs && <span className="mt-1 block text-xs font-medium text-red-700 dark:text-red-400">{byField.inputs}</span>}
      </p>
      <TextField
        id={`${id}-name`}
        label="Name (optional)"
        maxLength={120}
        placeholder={`${itemId} at ${cron.trim() || '…'}`}
        value={name}
        onChange={(e) => setName(e.target.value)}
        error={byField.name}
      />
      <TextField
        id={`${id}-cron`}
        label="Cron"
        required
        className="font-mono"
        autoComplete="off"
        spellCheck={false}
        placeholder="0 9 * * 1-5"
        value={cron}
        onChange={(e) => setCron(e.target.value)}
        error={byField.cron}
        hint={
          <>
            Five fields: minute, hour, day of month, month, day of week (or six, with seconds first). For example{' '}
            {examples.map(([value, words], i) => (
              <span key={value} className="whitespace-nowrap">
                {i > 0 && ', '}
                <button type="button" className="link font-mono" onClick={() => setCron(value)} aria-label={`Use ${value}, ${words}`}>
                  {value}
                </button>{' '}
                {words}
              </span>
            ))}
            .
          </>
        }
      />
      <TextField
        id={`${id}-timezone`}
        label="Time zone"
        required
        list={`${id}-zones`}
        autoComplete="off"
        spellCheck={false}
        value={timezone}
        onChange={(e) => setTimezone(e.target.value)}
        error={byField.timezone}
        hint="The cron is read in this zone, daylight saving time included. Type to search the list."
      />
      <datalist id={`${id}-zones`}>
        {zones.map((zone) => (
          <option key={zone} value={zone} />
        ))}
      </datalist>
      <div>
        <label htmlFor={`${id}-version`} className="label">
          Version
        </label>
        <select
          id={`${id}-version`}
          className="input"
          value={pinned && canPin ? version : 'latest'}
          onChange={(e) => setPinned(e.target.value !== 'latest')}
          aria-invalid={byField.version ? true : undefined}
          aria-describedby={byField.version ? `${id}-version-error` : undefined}
        >
          <option value="latest">latest (resolved at each run)</option>
          {canPin && <option value={version}>{version} (pinned)</option>}
        </select>
        {byField.version && (
          <p id={`${id}-version-error`} className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">
            {byField.version}
          </p>
        )}
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enabled: run on this timetable from now on
      </label>
      <div>
        <button type="submit" className="btn-primary" disabled={create.isPending || !cron.trim()}>
          {create.isPending ? 'Creating…' : 'Create schedule'}
        </button>
      </div>
    </form>
  );
}
