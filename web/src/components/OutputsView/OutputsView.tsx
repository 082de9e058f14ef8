import { safeHttpUrl } from '../../lib/format';
import { isMaskedSecret } from '../../lib/secrets';
import { SecretBadge } from '../SecretBadge/SecretBadge';

function Value({ name, value, secretTitle }: { name: string; value: unknown; secretTitle?: string }) {
  if (isMaskedSecret(value)) return <SecretBadge title={secretTitle} />;
  const url = safeHttpUrl(value);
  if (url) {
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" className="link break-all">
        {String(value)}
      </a>
    );
  }
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return <span className="break-words whitespace-pre-wrap">{value === null ? 'null' : String(value)}</span>;
  }
  // Focusable: a long value scrolls inside its box, and keyboard users must be able to scroll it too.
  return (
    <pre tabIndex={0} aria-label={`${name}, as JSON`} className="max-h-96 overflow-auto rounded bg-slate-100 p-2 font-mono text-xs focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:bg-slate-800">
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/**
 * A job's inputs or outputs: http(s) URLs as links, scalars as text, everything else as JSON — never
 * as HTML. A value the API masked (a secret) is a badge saying so, `secretTitle` its tooltip.
 */
export function OutputsView({ values, empty, secretTitle }: { values: Record<string, unknown> | null | undefined; empty: string; secretTitle?: string }) {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <p className="muted text-sm">{empty}</p>;
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[minmax(8rem,max-content)_1fr]">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-mono text-xs font-semibold text-slate-700 sm:pt-0.5 dark:text-slate-300">{key}</dt>
          <dd className="min-w-0">
            <Value name={key} value={value} secretTitle={secretTitle} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
