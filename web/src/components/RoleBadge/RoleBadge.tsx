import type { Role } from '@shelf/contract';

const styles: Record<Role, string> = {
  viewer: 'bg-slate-100 text-slate-800 ring-slate-300 dark:bg-slate-800 dark:text-slate-200 dark:ring-slate-600',
  runner: 'bg-blue-50 text-blue-800 ring-blue-300 dark:bg-blue-950 dark:text-blue-200 dark:ring-blue-800',
  publisher: 'bg-green-50 text-green-800 ring-green-300 dark:bg-green-950 dark:text-green-200 dark:ring-green-800',
  admin: 'bg-indigo-50 text-indigo-800 ring-indigo-300 dark:bg-indigo-950 dark:text-indigo-200 dark:ring-indigo-800',
};

/** A role as a small label; the word is always there, colour only helps. */
export function RoleBadge({ role }: { role: Role }) {
  return (
    <span data-testid="role-badge" className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-semibold ring-1 ring-inset ${styles[role]}`}>
      {role}
    </span>
  );
}
