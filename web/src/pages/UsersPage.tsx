import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { CreateUser } from '../components/CreateUser/CreateUser';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { RequireRole } from '../components/RequireRole/RequireRole';
import { UserRow } from '../components/UserRow/UserRow';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';

const th = 'px-3 py-2 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:text-slate-400';

function Users() {
  useDocumentTitle('Users');
  const { data: me } = useMe();
  const users = useQuery({ queryKey: queryKeys.users(), queryFn: ({ signal }) => api.users(signal) });
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Users</h1>
        <p className="muted mt-1 text-sm">
          Local accounts sign in with a password; single sign-on accounts appear at their first sign-in and take their role from the
          provider&apos;s groups.
        </p>
      </div>
      <section aria-labelledby="users-heading" className="mb-8">
        <h2 id="users-heading" className="sr-only">
          Accounts
        </h2>
        {users.isPending ? (
          <Loading label="Loading the users…" />
        ) : users.isError ? (
          <ErrorMessage error={users.error} title="Could not load the users" onRetry={() => void users.refetch()} />
        ) : (
          <div className="card overflow-x-auto">
            <table className="w-full min-w-[52rem] border-collapse text-sm">
              <caption className="sr-only">Accounts, oldest first</caption>
              <thead className="border-b border-slate-200 dark:border-slate-800">
                <tr>
                  <th scope="col" className={th}>User</th>
                  <th scope="col" className={th}>Sign-in</th>
                  <th scope="col" className={th}>Role</th>
                  <th scope="col" className={th}>Status</th>
                  <th scope="col" className={th}>Last sign-in</th>
                  <th scope="col" className={th}>Actions</th>
                </tr>
              </thead>
              <tbody>
                {users.data.map((user) => (
                  <UserRow key={user.id} user={user} self={user.id === me?.id} />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <CreateUser />
    </>
  );
}

/** Accounts, for admins: add local ones, change roles, disable, reset passwords. */
export default function UsersPage() {
  return (
    <RequireRole action="administer" title="Users">
      <Users />
    </RequireRole>
  );
}
