import type { CatalogItem } from '@shelf/contract';
import { Link } from 'react-router-dom';

/** One catalog item: the whole card is one link to its page. */
export function CatalogCard({ item }: { item: CatalogItem }) {
  return (
    <li className="card relative flex flex-col p-4 transition-shadow focus-within:ring-2 focus-within:ring-indigo-500 hover:shadow-md">
      <div className="flex items-start justify-between gap-3">
        <h2 className="text-base font-semibold break-words">
          <Link to={`/catalog/${encodeURIComponent(item.id)}`} className="after:absolute after:inset-0 focus:outline-none">
            {item.name}
          </Link>
        </h2>
        <span className="shrink-0 rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-700 dark:bg-slate-800 dark:text-slate-300">
          v{item.latestVersion}
        </span>
      </div>
      <p className="muted mt-1 font-mono text-xs">{item.id}</p>
      <p className="mt-2 line-clamp-3 flex-1 text-sm text-slate-700 dark:text-slate-300">{item.description || 'No description.'}</p>
      <div className="mt-3 flex flex-wrap items-center gap-1.5 text-xs">
        {item.owner && <span className="muted mr-1">by {item.owner}</span>}
        {item.tags.map((tag) => (
          <span key={tag} className="rounded-full bg-indigo-50 px-2 py-0.5 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200">
            {tag}
          </span>
        ))}
        <span className="muted ml-auto">
          {item.versionCount} {item.versionCount === 1 ? 'version' : 'versions'}
        </span>
      </div>
    </li>
  );
}
