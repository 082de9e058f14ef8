import type { Me } from '@shelf/contract';
import { CreateToken } from '../components/CreateToken/CreateToken';
import { Loading } from '../components/QueryState/QueryState';
import { RoleBadge } from '../components/RoleBadge/RoleBadge';
import { TokenList } from '../components/TokenList/TokenList';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';

function Profile({ me }: { me: Me }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5 text-sm">
      <dt className="muted">Username</dt>
      <dd className="font-medium break-all">{me.username}</dd>
      {me.name && (
        <>
          <dt className="muted">Name</dt>
          <dd>{me.name}</dd>
        </>
      )}
      {me.email && (
        <>
          <dt className="muted">Email</dt>
          <dd className="break-all">{me.email}</dd>
        </>
      )}
      <dt className="muted">Role</dt>
      <dd>
        <RoleBadge role={me.role} />
      </dd>
      <dt className="muted">Groups</dt>
      <dd>{me.groups.length ? me.groups.join(', ') : <span className="muted">none</span>}</dd>
      <dt className="muted">Signed in with</dt>
      <dd>{me.via === 'token' ? 'an API token' : 'a browser session'}</dd>
    </dl>
  );
}

/** Who am I, and my API tokens. */
export default function SettingsPage() {
  useDocumentTitle('Settings');
  const { data: me } = useMe();
  if (!me) return <Loading />;
  return (
    <>
      <div className="mb-6">
        <h1 className="text-2xl font-bold tracking-tight">Settings</h1>
        <p className="muted mt-1 text-sm">Your account and the tokens that let programs act as you.</p>
      </div>
      <section aria-labelledby="profile-heading" className="card mb-8 p-5">
        <h2 id="profile-heading" className="mb-3 text-lg font-semibold">
          Your account
        </h2>
        <Profile me={me} />
      </section>
      <section aria-labelledby="tokens-heading" className="flex flex-col gap-4">
        <div>
          <h2 id="tokens-heading" className="text-lg font-semibold">
            API tokens
          </h2>
          <p className="muted mt-1 text-sm">
            For scripts and the CLI. A token acts as you, with the role you give it, until it expires or you revoke it.
          </p>
        </div>
        <CreateToken myRole={me.role} />
        <TokenList />
      </section>
    </>
  );
}
