import { safeHttpUrl } from '../../lib/format';
import { isMaskedSecret } from '../../lib/secrets';
import { SecretBadge } from '../SecretBadge/SecretBadge';
import { CodeValue } from './CodeValue';

/** Text longer than this (or of more than one line) reads as code: monospace, with Copy and Download. */
const longText = 120;

/** Whether a text value is code-like: multi-line or long (a plan, a query, a generated file). */
export const isCodeLike = (text: string): boolean => text.includes('\n') || text.length > longText;

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
  if (typeof value === 'string' && isCodeLike(value)) return <CodeValue name={name} text={value} />;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return <span className="break-words whitespace-pre-wrap">{value === null ? 'null' : String(value)}</span>;
  }
  return <CodeValue name={name} text={JSON.stringify(value, null, 2)} json />;
}

/**
 * A job's inputs or outputs: http(s) URLs as links, short scalars as text, long or multi-line text
 * and everything else as code (collapsed when long, with Copy and Download) — never as HTML. A
 * value the API masked (a secret) is a badge saying so, `secretTitle` its tooltip.
 */
export function OutputsView({ values, empty, secretTitle }: { values: Record<string, unknown> | null | undefined; empty: string; secretTitle?: string }) {
  const entries = Object.entries(values ?? {});
  if (!entries.length) return <p className="muted text-sm">{empty}</p>;
  return (
    <dl className="grid grid-cols-1 gap-x-4 gap-y-2 text-sm sm:grid-cols-[minmax(8rem,max-content)_minmax(0,1fr)]">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-mono text-xs font-semibold break-all text-slate-700 sm:pt-0.5 dark:text-slate-300">{key}</dt>
          <dd className="min-w-0">
            <Value name={key} value={value} secretTitle={secretTitle} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
