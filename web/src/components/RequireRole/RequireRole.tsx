import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useDocumentTitle } from '../../hooks/useDocumentTitle';
import { useMe } from '../../hooks/useMe';
import { can, type RoleAction } from '../../lib/permissions';

/** A page for some roles only: others get the reason instead of a page of 403s. */
export function RequireRole({ action, title, children }: { action: RoleAction; title: string; children: ReactNode }) {
  const { data: me } = useMe();
  const decision = can(me, action);
  if (decision.allowed) return children;
  return <NotAllowed title={title} reason={decision.reason} />;
}

function NotAllowed({ title, reason }: { title: string; reason: string }) {
  useDocumentTitle(title);
  return (
    <div className="card p-8 text-center">
      <h1 className="text-xl font-semibold">{title}</h1>
      <p className="mt-2 text-sm">{reason}</p>
      <p className="muted mt-2 text-sm">
        An administrator can change your role.{' '}
        <Link to="/" className="link">
          Back to the catalog
        </Link>
        .
      </p>
    </div>
  );
}
