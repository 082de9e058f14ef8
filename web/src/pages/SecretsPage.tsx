import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { CreateSecret } from '../components/CreateSecret/CreateSecret';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RequireRole } from '../components/RequireRole/RequireRole';
import { SecretRow } from '../components/SecretRow/SecretRow';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useNow } from '../hooks/useNow';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';

function Secrets() {
  useDocumentTitle('Secrets');
  const secrets = useQuery({ queryKey: queryKeys.secrets(), queryFn: ({ signal }) => api.secrets(signal) });
  // What the last create, rotate, edit or delete did; the row it was about may be gone.
  const [notice, setNotice] = useState<string>();
  const now = useNow(true, 60_000);
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Secrets</h1>
        <p className="muted mt-1 text-sm">
          Named secrets for jobs: an item that lists one under <span className="font-mono">secrets</span> in its manifest, and is allowed
          here, reads it as the file <span className="font-mono">/run/secrets/NAME</span>. Values are stored encrypted and never shown
          again, not even here; rotate one to replace it.
        </p>
      </div>
      <div role="status" aria-live="polite">
        {notice && (
          <p className="mb-4 rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-900 dark:border-green-800 dark:bg-green-950 dark:text-green-100">
            {notice}
          </p>
        )}
      </div>
      <section aria-labelledby="secrets-heading" className="mb-8">
        <h2 id="secrets-heading" className="sr-only">
          Named secrets
        </h2>
        {secrets.isPending ? (
          <Loading label="Loading the secrets…" />
        ) : secrets.isError ? (
          <ErrorMessage error={secrets.error} title="Could not load the secrets" onRetry={() => void secrets.refetch()} />
        ) : !secrets.data.length ? (
          <p className="muted text-sm">No secrets yet.</p>
        ) : (
          <div className="card overflow-x-auto">
            <table className="w-full min-w-[52rem] border-collapse text-sm">
              <caption className="sr-only">Named secrets: never their values</caption>
              <thead className="border-b border-slate-200 dark:border-slate-800">
                <tr>
                  <th scope="col" className={th}>Name</th>
                  <th scope="col" className={th}>Description</th>
                  <th scope="col" className={th}>Items</th>
                  <th scope="col" className={th}>Last changes</th>
                  <th scope="col" className={th}>Actions</th>
                </tr>
              </thead>
              <tbody>
                {secrets.data.map((secret) => (
                  <SecretRow key={secret.name} secret={secret} now={now} onDone={setNotice} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CreateSecret onCreated={setNotice} />
    </>
  );
}

/** Named secrets, for admins: add, rotate, choose the items that may use each, delete. Values are never shown. */
export default function SecretsPage() {
  return (
    <RequireRole action="administer" title="Secrets">
      <Secrets />
    </RequireRole>
  );
}
