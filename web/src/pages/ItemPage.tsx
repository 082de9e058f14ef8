import type { DescriptorAnswer, JobDetailAnswer, Me } from '@shelf/contract';
import { deepEquals } from '@rjsf/utils';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { CopyCommand } from '../components/CopyCommand/CopyCommand';
import { InputsFile } from '../components/InputsFile/InputsFile';
import { InputsJson, jsonProblemId } from '../components/InputsJson/InputsJson';
import { markEnterAgain, type Inputs } from '../components/ItemForm/formState';
import { ItemForm } from '../components/ItemForm/ItemForm';
import { ItemSchedules } from '../components/ItemSchedules/ItemSchedules';
import { useItemInputs } from '../components/ItemForm/useItemInputs';
import { Markdown } from '../components/Markdown/Markdown';
import { PresetPicker } from '../components/PresetPicker/PresetPicker';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RerunBanner } from '../components/RerunReview/RerunBanner';
import { RerunReview } from '../components/RerunReview/RerunReview';
import { shortJobId } from '../lib/format';
import { RunFacts } from '../components/RunFacts/RunFacts';
import { ApprovalNote, SecretsNote } from '../components/RunNotes/RunNotes';
import { ServerRefusal } from '../components/ServerRefusal/ServerRefusal';
import { Tabs } from '../components/Tabs/Tabs';
import { ValidationResult } from '../components/ValidationResult/ValidationResult';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { useSecretMutation } from '../hooks/useSecretMutation';
import { inputsToJson, type ParsedInputs } from '../lib/inputsJson';
import { can, canRunItem } from '../lib/permissions';
import { dropSecrets, maskSecrets, redactSecrets, standInPointers } from '../lib/secretFields';

type Blocked = { reason: string; describedBy: string } | undefined;

interface RunFormProps {
  itemId: string;
  descriptor: DescriptorAnswer;
  /** The version in the page's address (`latest` or one), for a manifest that names none. */
  requested: string;
  /** The job this run re-runs with changes (`?rerun=`): its inputs fill the form, and Run first shows what changed. */
  rerun?: JobDetailAnswer;
  onForgetRerun: () => void;
  blocked: Blocked;
  me: Me | undefined;
}

/** The run form, its JSON tab and what can be done with its inputs: check them, copy them, keep them. */
function RunForm({ itemId, descriptor, requested, rerun, onForgetRerun, blocked, me }: RunFormProps) {
  const navigate = useNavigate();
  // Pin the version the form was built from, even if `latest` moves meanwhile.
  const version = descriptor.manifest.version ?? requested;
  const form = useItemInputs(descriptor.schema, rerun?.inputs);
  const { utils } = form;
  /** The inputs as they stand, whichever tab edits them: what checks, copies, files, presets and schedules use. */
  const inputs = form.inputs;

  const [tab, setTab] = useState('inputs-form');
  // Why the JSON tab's text is not inputs, for the inputs it was typed over (a fill starts the editor over).
  const [json, setJson] = useState<{ revision: number; problem: string; refused: boolean }>();
  const jsonProblem = json?.revision === form.revision ? json : undefined;
  // The inputs the server last judged, which its problems are about; and a re-run's inputs under review.
  const [judged, setJudged] = useState<Inputs>();
  const [reviewing, setReviewing] = useState<Inputs>();
  const formArea = useRef<HTMLDivElement>(null);

  // The inputs may hold secrets (writeOnly fields): see useSecretMutation.
  const run = useSecretMutation((sent: Inputs) => (rerun ? api.rerunJob(rerun.id, itemId, version, sent) : api.createJob(itemId, version, sent)));
  const check = useSecretMutation((sent: Inputs) => api.validateJob(itemId, version, sent));

  const startRun = async (sent: Inputs) => {
    setJudged(sent);
    check.reset();
    const job = await run.mutate(sent);
    if (job) navigate(`/jobs/${encodeURIComponent(job.id)}`);
    return job !== undefined;
  };
  const submit = async (sent: Inputs) => {
    if (!rerun) return startRun(sent);
    setReviewing(sent);
    return false;
  };
  // Back from the review, focus goes to the form's Run (the review, and the button pressed, are gone).
  const backToForm = () => {
    flushSync(() => setReviewing(undefined));
    formArea.current?.querySelector<HTMLButtonElement>('button[type="submit"]')?.focus();
  };
  const runReviewed = async () => {
    // Refused: back to the form, where the server's problems show under their fields.
    if (!(await startRun(reviewing!))) backToForm();
  };
  const validate = () => {
    setJudged(inputs);
    run.reset();
    void check.mutate(inputs);
  };
  const onJson = (parsed: ParsedInputs) => {
    if (parsed.ok) {
      form.setInputs(parsed.inputs);
      setJson(undefined);
    } else setJson({ revision: form.revision, problem: parsed.message, refused: false });
  };
  const selectTab = (next: string) => {
    // Leaving invalid JSON would lose it: the form cannot show it.
    if (next !== 'inputs-json' && jsonProblem) setJson({ ...jsonProblem, refused: true });
    else setTab(next);
  };

  const refusal = run.error ?? check.error;
  const serverProblems = useMemo(() => {
    const problems = refusal instanceof ApiError ? refusal.problems.filter((p) => p.file === 'inputs') : [];
    return problems.length && judged ? { problems, judged } : undefined;
  }, [refusal, judged]);
  const valid = check.data && judged && deepEquals(judged, inputs) ? check.data : undefined;

  // A re-run's secrets reach the page masked: their fields start empty and ask to be typed again.
  const enterAgain = useMemo(() => (rerun && utils ? standInPointers(utils, rerun.inputs) : []), [rerun, utils]);
  const uiSchema = useMemo(() => markEnterAgain(descriptor.uiSchema, enterAgain), [descriptor.uiSchema, enterAgain]);
  const jsonInvalid = jsonProblem ? jsonProblemId : undefined;

  return (
    <>
      {rerun && <RerunBanner job={rerun} secrets={enterAgain.length > 0} onForget={onForgetRerun} />}
      {refusal && (
        <ServerRefusal
          error={refusal}
          inputProblems={serverProblems?.problems ?? []}
          listInputProblems={tab === 'inputs-json'}
          title={run.error ? 'The job could not be started' : 'The inputs could not be checked'}
        />
      )}

      {reviewing && rerun && utils && (
        <RerunReview job={rerun} version={version} inputs={maskSecrets(utils, reviewing)} running={run.isPending} onRun={() => void runReviewed()} onBack={backToForm} />
      )}
      <div ref={formArea} hidden={reviewing !== undefined}>
        {utils && (
          <PresetPicker
            itemId={itemId}
            me={me}
            canSave={blocked ? { allowed: false, reason: blocked.reason } : { allowed: true }}
            inputsToSave={() => dropSecrets(utils, inputs)}
            onFill={(preset) => form.fill(preset.inputs)}
          />
        )}
        <Tabs
          label="Inputs"
          selected={tab}
          onSelect={selectTab}
          tabs={[
            {
              id: 'inputs-form',
              label: 'Form',
              panel: (
                <ItemForm
                  form={form}
                  schema={descriptor.schema}
                  uiSchema={uiSchema}
                  serverProblems={serverProblems}
                  submitting={run.isPending}
                  blocked={blocked}
                  onSubmit={submit}
                />
              ),
            },
            {
              id: 'inputs-json',
              label: 'JSON',
              // Mounted only while open: the editor reads the inputs when it opens and owns its text from then on.
              panel: tab === 'inputs-json' && (
                <InputsJson schema={descriptor.schema} inputs={inputs} revision={form.revision} onChange={onJson} problem={jsonProblem?.problem} refused={jsonProblem?.refused} />
              ),
            },
          ]}
        />

        {utils && (
          <div className="mt-5 flex flex-col gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
            <div className="flex flex-wrap items-start gap-2">
              <div className="flex flex-col">
                <button
                  type="button"
                  className="btn-secondary self-start"
                  disabled={!!blocked || !!jsonInvalid || check.isPending}
                  title={blocked?.reason}
                  aria-describedby={blocked?.describedBy ?? jsonInvalid}
                  onClick={validate}
                >
                  {check.isPending ? 'Validating…' : 'Validate'}
                </button>
                <p role="status" className="muted text-xs not-empty:mt-2">
                  {check.isPending ? 'Checking the inputs…' : valid ? 'Valid: the server would run them as shown below.' : ''}
                </p>
              </div>
              <CopyCommand request={() => ({ itemId, version, inputs: redactSecrets(utils, inputs) })} disabled={!!jsonInvalid} describedBy={jsonInvalid} />
              <InputsFile
                fileName={`${itemId}-${version}-inputs.json`}
                json={() => inputsToJson(redactSecrets(utils, inputs))}
                onLoad={form.fill}
                downloadDisabled={!!jsonInvalid}
                describedBy={jsonInvalid}
              />
            </div>
            {valid && <ValidationResult answer={valid} />}
          </div>
        )}
        {/* Outside the run form: the schedule form is a form of its own. It schedules the inputs as they stand. */}
        <ItemSchedules itemId={itemId} version={version} inputs={inputs} />
      </div>
    </>
  );
}

/** Why a `?rerun=` job cannot fill the form, with the way out. */
function RerunTrouble({ children, onForget }: { children: ReactNode; onForget: () => void }) {
  return (
    <div className="flex flex-col items-start gap-3">
      {children}
      <button type="button" className="btn-secondary" onClick={onForget}>
        Start from an empty form
      </button>
    </div>
  );
}

export default function ItemPage() {
  const { id = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const version = params.get('version') || 'latest';
  const rerunOf = params.get('rerun') || undefined;

  const versions = useQuery({ queryKey: queryKeys.versions(id), queryFn: ({ signal }) => api.versions(id, signal) });
  const descriptor = useQuery({ queryKey: queryKeys.descriptor(id, version), queryFn: ({ signal }) => api.descriptor(id, version, signal) });
  const rerun = useQuery({ queryKey: queryKeys.job(rerunOf ?? ''), queryFn: ({ signal }) => api.job(rerunOf!, signal), enabled: rerunOf !== undefined });

  const { data: me } = useMe();
  const runDecision = canRunItem(me, descriptor.data?.canRun);
  const blockedReason = runDecision.allowed ? undefined : runDecision.reason;
  // Stable while the reason is, so the form's uiSchema is not rebuilt on every render.
  const blocked = useMemo(() => (blockedReason ? { reason: blockedReason, describedBy: 'run-blocked' } : undefined), [blockedReason]);

  const manifest = descriptor.data?.manifest;
  useDocumentTitle(manifest?.name ?? id);
  const latest = versions.data?.[0]?.version;

  // A job being run again stays so at another version: its inputs fill that version's form.
  const chooseVersion = (next: string) => setParams({ ...(next === 'latest' ? {} : { version: next }), ...(rerunOf ? { rerun: rerunOf } : {}) }, { replace: true });
  const forgetRerun = () => setParams(version === 'latest' ? {} : { version }, { replace: true });
  const rerunJob = rerun.data?.itemId === id ? rerun.data : undefined;

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

      {descriptor.isPending || (rerunOf && rerun.isPending) ? (
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
            {rerunOf && rerun.isError ? (
              <RerunTrouble onForget={forgetRerun}>
                <ErrorMessage error={rerun.error} title={`Could not load job ${shortJobId(rerunOf)} to run it again`} />
              </RerunTrouble>
            ) : rerunOf && !rerunJob ? (
              <RerunTrouble onForget={forgetRerun}>
                <p role="alert" className="text-sm">
                  Job <span className="font-mono">{shortJobId(rerunOf)}</span> ran {rerun.data?.itemId ?? 'another item'}, not {id}: it cannot be re-run from here.
                </p>
              </RerunTrouble>
            ) : (
              <RunForm key={`${descriptor.data.digest} ${rerunOf ?? ''}`} itemId={id} descriptor={descriptor.data} requested={version} rerun={rerunJob} onForgetRerun={forgetRerun} blocked={blocked} me={me} />
            )}
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
