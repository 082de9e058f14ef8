import type { PreviousRun } from '@shelf/contract';
import { Link } from 'react-router-dom';
import { formatDateTime } from '../../lib/format';
import { diffInputs, type InputChange } from '../../lib/inputDiff';

function Shown({ value }: { value: unknown }) {
  if (value === undefined) return <span className="muted italic">not set</span>;
  return <span className="font-mono text-xs break-all whitespace-pre-wrap">{typeof value === 'string' ? value : JSON.stringify(value)}</span>;
}

/**
 * What differs from the submitter's previous run of the item: the question a reviewer asks first.
 * Secret inputs reach the page masked on both sides, so they are listed as not compared.
 */
export function InputChanges({ inputs, previous, submitter }: { inputs: Record<string, unknown>; previous: PreviousRun | null; submitter: string }) {
  if (!previous) return <p className="muted text-sm">This is {submitter}’s first run of this item: no earlier inputs to compare with.</p>;
  const changes = diffInputs(previous.inputs, inputs);
  const earlier = (
    <>
      {submitter}’s previous run (
      <Link to={`/jobs/${encodeURIComponent(previous.id)}`} className="link font-mono text-xs">
        {previous.id.slice(0, 12)}
      </Link>
      , @{previous.version}, {formatDateTime(previous.createdAt)})
    </>
  );
  if (!changes.length) return <p className="text-sm">Same inputs as {earlier}.</p>;
  const onlySecrets = changes.every((c) => c.secret);
  return (
    <div className="text-sm">
      <p className="mb-2">{onlySecrets ? <>Same inputs as {earlier}, secrets aside:</> : <>Changed since {earlier}:</>}</p>
      <InputChangesTable changes={changes} caption="Inputs that changed since the previous run, and secret inputs, which are not compared" />
    </div>
  );
}

interface TableProps {
  changes: InputChange[];
  /** For screen readers: what the rows are. */
  caption: string;
  before?: string;
  after?: string;
  /** What a secret input's row says: both sides are masks, so it never shows a value. */
  secret?: { text: string; title: string };
}

/** The changed inputs, one row each: before and after, secret inputs without either. */
export function InputChangesTable({
  changes,
  caption,
  before = 'Previous',
  after = 'Now',
  secret = { text: 'secret (not compared)', title: 'secret input: never shown, so never compared' },
}: TableProps) {
  return (
    <table className="w-full border-collapse text-left" data-testid="input-changes">
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr className="border-b border-slate-200 text-xs text-slate-600 uppercase dark:border-slate-700 dark:text-slate-400">
          <th scope="col" className="py-1 pr-3 font-semibold">Input</th>
          <th scope="col" className="py-1 pr-3 font-semibold">{before}</th>
          <th scope="col" className="py-1 font-semibold">{after}</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.field} className="border-b border-slate-100 align-top last:border-0 dark:border-slate-800">
            <th scope="row" className="py-1 pr-3 font-mono text-xs font-semibold">{c.field}</th>
            {c.secret ? (
              <td colSpan={2} className="muted py-1 italic" title={secret.title}>
                {secret.text}
              </td>
            ) : (
              <>
                <td className="py-1 pr-3 text-red-800 dark:text-red-300">
                  <Shown value={c.before} />
                </td>
                <td className="py-1 text-green-800 dark:text-green-300">
                  <Shown value={c.after} />
                </td>
              </>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
