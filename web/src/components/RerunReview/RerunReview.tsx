import { SECRET_MASK, type JobDetailAnswer } from '@shelf/contract';
import { shortJobId } from '../../lib/format';
import { useEffect, useRef } from 'react';
import { Link } from 'react-router-dom';
import { diffInputs } from '../../lib/inputDiff';
import { InputChangesTable } from '../InputChanges/InputChanges';

interface Props {
  /** The job being run again. */
  job: Pick<JobDetailAnswer, 'id' | 'version' | 'inputs'>;
  /** The inputs about to run, secrets masked as the job's are (so they compare as secrets, never as values). */
  inputs: Record<string, unknown>;
  /** The version about to run. */
  version: string;
  running: boolean;
  onRun: () => void;
  onBack: () => void;
}


/** The step before re-running a job: what changed since it, field by field, then Run or back to the form. */
export function RerunReview({ job, inputs, version, running, onRun, onBack }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // A secret left out this time is no secret entered again: its row says it is gone (both sides stay masks).
  const changes = diffInputs(job.inputs, inputs).map((c) => (c.secret && !(c.field in inputs) ? { field: c.field, secret: false as const, before: SECRET_MASK, after: undefined } : c));
  const onlySecrets = changes.every((c) => c.secret);
  const original = (
    <>
      job{' '}
      <Link to={`/jobs/${encodeURIComponent(job.id)}`} className="link font-mono text-xs">
        {shortJobId(job.id)}
      </Link>
    </>
  );
  return (
    <section aria-labelledby="rerun-review-heading" className="flex flex-col gap-4" data-testid="rerun-review">
      <h3 id="rerun-review-heading" ref={heading} tabIndex={-1} className="font-semibold focus:outline-none">
        Check what changes, then run
      </h3>
      {version !== job.version && (
        <p className="text-sm">
          Version <span className="font-mono">{job.version}</span> → <span className="font-mono">{version}</span>.
        </p>
      )}
      {!changes.length ? (
        <p className="text-sm">Same inputs as {original}.</p>
      ) : (
        <div className="text-sm">
          <p className="mb-2">{onlySecrets ? <>Same inputs as {original}, secrets aside:</> : <>Changed since {original}:</>}</p>
          <InputChangesTable
            changes={changes}
            caption={`Inputs that differ from job ${shortJobId(job.id)}, and the secret inputs, entered again`}
            before={`Job ${shortJobId(job.id)}`}
            secret={{ text: 'secret (entered again)', title: 'secret input: typed again, never shown' }}
          />
        </div>
      )}
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-primary" disabled={running} onClick={onRun}>
          {running ? 'Submitting…' : 'Run'}
        </button>
        <button type="button" className="btn-secondary" disabled={running} onClick={onBack}>
          Back to the form
        </button>
      </div>
    </section>
  );
}
