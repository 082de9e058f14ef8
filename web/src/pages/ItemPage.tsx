import { defaultApprovalTimeout, type ApprovalPolicy, type Descriptor, type Source } from '@shelf/contract';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { ItemForm } from '../components/ItemForm/ItemForm';
import { Markdown } from '../components/Markdown/Markdown';
import { ProblemList } from '../components/ProblemList/ProblemList';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { useSecretMutation } from '../hooks/useSecretMutation';
import { formatDateTime } from '../lib/format';
import { can, canRunItem } from '../lib/permissions';

function SourceLine({ source }: { source: Source }) {
  const when = `${formatDateTime(source.importedAt)} by ${source.importedBy}`;
  switch (source.kind) {
    case 'git':
      return (
        <span>
          Git <span className="font-mono break-all">{source.url}</span> tag <span className="font-mono">{source.tag}</span> (
          <span className="font-mono">{source.commit.slice(0, 10)}</span>), {when}
        </span>
      );
    case 'local':
      return (
        <span>
          Local folder <span className="font-mono break-all">{source.path}</span>, {when}
        </span>
      );
    case 'upload':
      return (
        <span>
          Uploaded <span className="font-mono break-all">{source.fileName}</span>, {when}
        </span>
      );
  }
}

function RunFacts({ descriptor }: { descriptor: Descriptor }) {
  const { manifest } = descriptor;
  return (
    <dl className="muted grid grid-cols-[max-content_1fr] gap-x-3 gap-y-1 text-xs">
      <dt className="font-semibold">Image</dt>
      <dd className="font-mono break-all">{manifest.runtime.image}</dd>
      <dt className="font-semibold">Network</dt>
      <dd>{manifest.network === 'egress' ? 'Outbound allowed' : 'None'}</dd>
      <dt className="font-semibold">Timeout</dt>
      <dd>{manifest.timeout ?? 300} s (capped by the server)</dd>
      <dt className="font-semibold">Source</dt>
      <dd>
        <SourceLine source={descriptor.source} />
      </dd>
      <dt className="font-semibold">Digest</dt>
      <dd className="font-mono break-all" title={descriptor.digest}>
        {descriptor.digest.slice(0, 16)}…
      </dd>
    </dl>
  );
}

/** Before anyone fills the form: their job will wait for someone else's yes. */
function ApprovalNote({ approval }: { approval: ApprovalPolicy }) {
  const count = approval.minApprovals ?? 1;
  return (
    <p className="mb-4 rounded-md border border-violet-300 bg-violet-50 p-3 text-sm text-violet-950 dark:border-violet-800 dark:bg-violet-950 dark:text-violet-100" data-testid="needs-approval">
      A job of this item waits for approval by {approval.approvers.join(', ')}
      {count > 1 ? ` (${count} of them)` : ''} before it runs; the request expires after {approval.timeout ?? defaultApprovalTimeout}.
    </p>
  );
}

/** The named secrets the job reads, and where it finds them. */
function SecretsNote({ names, admin }: { names: string[]; admin: boolean }) {
  return (
    <p className="mb-4 rounded-md border border-slate-300 bg-slate-50 p-3 text-sm dark:border-slate-700 dark:bg-slate-800/50" data-testid="uses-secrets">
      Uses secrets:{' '}
      {names.map((name, i) => (
        <span key={name}>
          {i > 0 && ', '}
          <span className="font-mono">{name}</span>
        </span>
      ))}
      . Each is mounted in the job as the file <span className="font-mono">/run/secrets/NAME</span>, readable only there.
      {admin && (
        <>
          {' '}
          Manage them on the{' '}
          <Link to="/admin/secrets" className="link">
            Secrets page
          </Link>
          .
        </>
      )}
    </p>
  );
}

export default function ItemPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const version = params.get('version') || 'latest';
  const navigate = useNavigate();

  const versions = useQuery({ queryKey: queryKeys.versions(id), queryFn: ({ signal }) => api.versions(id, signal) });
  const descriptor = useQuery({ queryKey: queryKeys.descriptor(id, version), queryFn: ({ signal }) => api.descriptor(id, version, signal) });
  // The inputs may hold secrets (writeOnly fields): see useSecretMutation.
  const run = useSecretMutation((inputs: Record<string, unknown>) =>
    // Pin the version the form was built from, even if `latest` moves meanwhile.
    api.createJob(id, descriptor.data?.manifest.version ?? version, inputs),
  );
  const submit = async (inputs: Record<string, unknown>) => {
    const job = await run.mutate(inputs);
    if (job) navigate(`/jobs/${encodeURIComponent(job.id)}`);
    return job !== undefined;
  };

  const { data: me } = useMe();
  const runDecision = canRunItem(me, descriptor.data?.canRun);
  const blockedReason = runDecision.allowed ? undefined : runDecision.reason;
  // Stable while the reason is, so the form's uiSchema is not rebuilt on every render.
  const blocked = useMemo(() => (blockedReason ? { reason: blockedReason, describedBy: 'run-blocked' } : undefined), [blockedReason]);

  const manifest = descriptor.data?.manifest;
  useDocumentTitle(manifest?.name ?? id);
  const runError = run.error instanceof ApiError ? run.error : undefined;
  const inputProblems = runError?.problems.filter((p) => p.file === 'inputs') ?? [];
  const otherProblems = runError?.problems.filter((p) => p.file !== 'inputs') ?? [];
  const latest = versions.data?.[0]?.version;

  const chooseVersion = (next: string) => {
    run.reset();
    setParams(next === 'latest' ? {} : { version: next }, { replace: true });
  };

  return (
    <>
      <nav aria-label="Breadcrumb" className="muted mb-3 text-sm">
        <Link to="/" className="link">
          Catalog
        </Link>{' '}
        <span aria-hidden="true">/</span> <span>{manifest?.name ?? id}</span>
      </nav>

      <div className="mb-6 flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold tracking-tight break-words">{manifest?.name ?? id}</h1>
          {manifest?.description && <p className="mt-1 max-w-2xl text-slate-700 dark:text-slate-300">{manifest.description}</p>}
          {manifest && (
            <div className="mt-2 flex flex-wrap items-center gap-2 text-xs">
              <span className="muted font-mono">{manifest.id}</span>
              {manifest.owner && <span className="muted">· owned by {manifest.owner}</span>}
              {manifest.tags?.map((tag) => (
                <span key={tag} className="rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
                  {tag}
                </span>
              ))}
            </div>
          )}
        </div>
        <div className="w-full sm:w-56">
          <label htmlFor="version" className="label">
            Version
          </label>
          <select id="version" className="input" value={version} onChange={(e) => chooseVersion(e.target.value)} disabled={!versions.data}>
            <option value="latest">latest{latest ? ` (${manifest?.version ?? latest})` : ''}</option>
            {versions.data?.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version} · {new Date(v.createdAt).toLocaleDateString()}
              </option>
            ))}
          </select>
          {versions.isError && <p className="mt-1 text-xs text-red-700 dark:text-red-400">Could not load the versions.</p>}
        </div>
      </div>

      {descriptor.isPending ? (
        <Loading label="Loading the form…" />
      ) : descriptor.isError ? (
        <ErrorMessage error={descriptor.error} title="Could not load this item" onRetry={() => void descriptor.refetch()} />
      ) : (
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-5">
          <section aria-labelledby="run-heading" className="card p-5 lg:col-span-3">
            <h2 id="run-heading" className="mb-4 text-lg font-semibold">
              Run {descriptor.data.manifest.name}
            </h2>
            {descriptor.data.manifest.approval && <ApprovalNote approval={descriptor.data.manifest.approval} />}
            {!!descriptor.data.manifest.secrets?.length && <SecretsNote names={descriptor.data.manifest.secrets} admin={can(me, 'administer').allowed} />}
            {blocked && (
              <p id={blocked.describedBy} className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
                {blocked.reason} You can still read the form and the README.
              </p>
            )}
            {runError && !inputProblems.length && (
              <div className="mb-4">
                {otherProblems.length ? (
                  <ProblemList problems={otherProblems} title="The server refused the job" />
                ) : (
                  <ErrorMessage error={runError} title="The job could not be started" />
                )}
              </div>
            )}
            {inputProblems.length > 0 && (
              <p role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
                The server found {inputProblems.length === 1 ? 'a problem' : `${inputProblems.length} problems`} with the inputs; see the
                fields below.
              </p>
            )}
            <ItemForm
              key={descriptor.data.digest}
              schema={descriptor.data.schema}
              uiSchema={descriptor.data.uiSchema}
              serverProblems={inputProblems}
              submitting={run.isPending}
              blocked={blocked}
              onSubmit={submit}
            />
          </section>
          <aside className="flex flex-col gap-6 lg:col-span-2">
            <section aria-labelledby="facts-heading" className="card p-5">
              <h2 id="facts-heading" className="mb-3 text-sm font-semibold">
                How it runs
              </h2>
              <RunFacts descriptor={descriptor.data} />
            </section>
            {descriptor.data.readme.trim() && (
              <section aria-labelledby="readme-heading" className="card min-w-0 p-5">
                <h2 id="readme-heading" className="sr-only">
                  README
                </h2>
                <Markdown source={descriptor.data.readme} />
              </section>
            )}
          </aside>
        </div>
      )}
    </>
  );
}
