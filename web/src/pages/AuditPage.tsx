import type { AuditEntry, AuditOutcome } from '@shelf/contract';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api, type AuditQuery } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { Pagination } from '../components/Pagination/Pagination';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RequireRole } from '../components/RequireRole/RequireRole';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { formatDateTime } from '../lib/format';

const pageSize = 50;
const outcomes: AuditOutcome[] = ['ok', 'denied', 'failed'];
const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-top';
const outcomeStyle: Record<AuditOutcome, string> = {
  ok: 'bg-green-50 text-green-800 ring-green-300 dark:bg-green-950 dark:text-green-200 dark:ring-green-800',
  denied: 'bg-amber-50 text-amber-900 ring-amber-300 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  failed: 'bg-red-50 text-red-800 ring-red-300 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
};

/** The filters and page live in the URL, so a view of the log can be shared and survives a reload. */
function useAuditUrlState(): [AuditQuery, (change: Partial<AuditQuery>) => void] {
  const [params, setParams] = useSearchParams();
  const outcome = params.get('outcome');
  const query: AuditQuery = {
    actor: params.get('actor') || undefined,
    action: params.get('action') || undefined,
    outcome: outcomes.includes(outcome as AuditOutcome) ? (outcome as AuditOutcome) : undefined,
    page: Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1),
    pageSize,
  };
  const update = (change: Partial<AuditQuery>) => {
    // A new filter starts again at page 1.
    const next = { ...query, page: 1, ...change };
    const out = new URLSearchParams();
    for (const key of ['actor', 'action', 'outcome'] as const) if (next[key]) out.set(key, next[key]!);
    if (next.page > 1) out.set('page', String(next.page));
    setParams(out);
  };
  return [query, update];
}

function Filters({ query, onApply }: { query: AuditQuery; onApply: (change: Partial<AuditQuery>) => void }) {
  const [actor, setActor] = useState(query.actor ?? '');
  const [action, setAction] = useState(query.action ?? '');
  const [outcome, setOutcome] = useState(query.outcome ?? '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply({ actor: actor.trim() || undefined, action: action.trim() || undefined, outcome: (outcome || undefined) as AuditOutcome | undefined });
  };
  return (
    <form role="search" aria-label="Filter the audit log" onSubmit={submit} className="mb-4 flex flex-wrap items-end gap-3">
      <div>
        <label htmlFor="audit-actor" className="label">
          Actor
        </label>
        <input id="audit-actor" className="input" placeholder="username" value={actor} onChange={(e) => setActor(e.target.value)} spellCheck={false} />
      </div>
      <div>
        <label htmlFor="audit-action" className="label">
          Action
        </label>
        <input id="audit-action" className="input font-mono" placeholder="auth.login" value={action} onChange={(e) => setAction(e.target.value)} spellCheck={false} />
      </div>
      <div>
        <label htmlFor="audit-outcome" className="label">
          Outcome
        </label>
        <select id="audit-outcome" className="input" value={outcome} onChange={(e) => setOutcome(e.target.value)}>
          <option value="">Any outcome</option>
          {outcomes.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn-primary">
        Apply filters
      </button>
      {(query.actor || query.action || query.outcome) && (
        <button type="button" className="btn-secondary" onClick={() => onApply({ actor: undefined, action: undefined, outcome: undefined })}>
          Clear
        </button>
      )}
    </form>
  );
}

function AuditTable({ items }: { items: AuditEntry[] }) {
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[56rem] border-collapse text-sm">
        <caption className="sr-only">Audit log, newest first</caption>
        <thead className="border-b border-slate-200 dark:border-slate-800">
          <tr>
            <th scope="col" className={th}>Time</th>
            <th scope="col" className={th}>Actor</th>
            <th scope="col" className={th}>Action</th>
            <th scope="col" className={th}>Target</th>
            <th scope="col" className={th}>Outcome</th>
            <th scope="col" className={th}>IP</th>
            <th scope="col" className={th}>Detail</th>
          </tr>
        </thead>
        <tbody>
          {items.map((e) => (
            <tr key={e.id} data-testid="audit-row" className="border-b border-slate-100 last:border-0 dark:border-slate-800">
              <td className={`${td} muted whitespace-nowrap`}>{formatDateTime(e.ts)}</td>
              <td className={`${td} break-all`}>{e.actor}</td>
              <td className={`${td} font-mono text-xs`}>{e.action}</td>
              <td className={`${td} font-mono text-xs break-all`}>{e.target || '—'}</td>
              <td className={td}>
                <span className={`inline-flex rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${outcomeStyle[e.outcome]}`}>{e.outcome}</span>
              </td>
              <td className={`${td} muted font-mono text-xs`}>{e.ip || '—'}</td>
              <td className={`${td} text-xs break-words`}>{e.detail ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Audit() {
  useDocumentTitle('Audit log');
  const [params] = useSearchParams();
  const [query, update] = useAuditUrlState();
  const audit = useQuery({ queryKey: queryKeys.audit(query), queryFn: ({ signal }) => api.audit(query, signal), placeholderData: keepPreviousData });
  const filtered = Boolean(query.actor || query.action || query.outcome);
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Audit log</h1>
        <p className="muted mt-1 text-sm">Every change, every sign-in and every refusal, newest first.</p>
      </div>
      {/* Remounted when the URL changes (back, forward, Clear), so the boxes show what is applied. */}
      <Filters key={params.toString()} query={query} onApply={update} />
      {audit.isPending ? (
        <Loading label="Loading the audit log…" />
      ) : audit.isError ? (
        <ErrorMessage error={audit.error} title="Could not load the audit log" onRetry={() => void audit.refetch()} />
      ) : audit.data.items.length === 0 ? (
        <p className="card p-8 text-center text-sm">{filtered ? 'No entry matches these filters.' : 'The audit log is empty.'}</p>
      ) : (
        <div className={`flex flex-col gap-4 ${audit.isPlaceholderData ? 'opacity-60' : ''}`} aria-busy={audit.isFetching}>
          <AuditTable items={audit.data.items} />
          <Pagination page={query.page} pageSize={pageSize} total={audit.data.total} onPage={(page) => update({ page })} />
        </div>
      )}
    </>
  );
}

/** What happened, who did it, and what was refused: for admins. */
export default function AuditPage() {
  return (
    <RequireRole action="administer" title="Audit log">
      <Audit />
    </RequireRole>
  );
}
