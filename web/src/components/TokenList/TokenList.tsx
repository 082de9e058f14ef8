import type { TokenInfo } from '@shelf/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { queryKeys } from '../../api/queryKeys';
import { formatDateTime } from '../../lib/format';
import { ConfirmButton } from '../ConfirmButton/ConfirmButton';
import { ErrorMessage, errorText, Loading } from '../QueryState/QueryState';
import { RoleBadge } from '../RoleBadge/RoleBadge';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';
const td = 'px-3 py-2 align-middle';

function Expiry({ token }: { token: TokenInfo }) {
  if (!token.expiresAt) return <span className="muted">never</span>;
  const expired = Date.parse(token.expiresAt) <= Date.now();
  return <span className={expired ? 'font-medium text-red-700 dark:text-red-400' : ''}>{expired ? `expired ${formatDateTime(token.expiresAt)}` : formatDateTime(token.expiresAt)}</span>;
}

function TokenRow({ token }: { token: TokenInfo }) {
  const client = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api.revokeToken(token.id),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.tokens() }),
  });
  return (
    <tr data-testid="token-row" className="border-b border-slate-100 last:border-0 dark:border-slate-800">
      <td className={`${td} font-medium break-all`}>{token.name}</td>
      <td className={td}>
        <RoleBadge role={token.role} />
      </td>
      <td className={`${td} font-mono text-xs`}>{token.hint}</td>
      <td className={`${td} muted whitespace-nowrap`}>{formatDateTime(token.createdAt)}</td>
      <td className={`${td} whitespace-nowrap`}>
        <Expiry token={token} />
      </td>
      <td className={`${td} muted whitespace-nowrap`}>{token.lastUsedAt ? formatDateTime(token.lastUsedAt) : 'never'}</td>
      <td className={td}>
        <ConfirmButton
          label="Revoke"
          name={`Revoke token ${token.name}`}
          question={`Revoke ${token.name}? Whatever uses it is refused at once.`}
          confirmLabel="Revoke"
          pending={revoke.isPending}
          pendingLabel="Revoking…"
          onConfirm={() => revoke.mutate()}
        />
        {revoke.isError && (
          <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
            {errorText(revoke.error)}
          </p>
        )}
      </td>
    </tr>
  );
}

/** The signed-in user's own API tokens; the secrets are never listed, only their first characters. */
export function TokenList() {
  const tokens = useQuery({ queryKey: queryKeys.tokens(), queryFn: ({ signal }) => api.tokens(signal) });
  if (tokens.isPending) return <Loading label="Loading your tokens…" />;
  if (tokens.isError) return <ErrorMessage error={tokens.error} title="Could not load your tokens" onRetry={() => void tokens.refetch()} />;
  if (!tokens.data.length) return <p className="card muted p-6 text-center text-sm">You have no API tokens.</p>;
  return (
    <div className="card overflow-x-auto">
      <table className="w-full min-w-[48rem] border-collapse text-sm">
        <caption className="sr-only">Your API tokens</caption>
        <thead className="border-b border-slate-200 dark:border-slate-800">
          <tr>
            <th scope="col" className={th}>Name</th>
            <th scope="col" className={th}>Role</th>
            <th scope="col" className={th}>Token</th>
            <th scope="col" className={th}>Created</th>
            <th scope="col" className={th}>Expires</th>
            <th scope="col" className={th}>Last used</th>
            <th scope="col" className={th}>
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.data.map((token) => (
            <TokenRow key={token.id} token={token} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
