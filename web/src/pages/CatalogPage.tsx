import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../api/client';
import { queryKeys } from '../api/queryKeys';
import { CatalogCard } from '../components/CatalogCard/CatalogCard';
import { ErrorMessage, Loading } from '../components/QueryState/QueryState';
import { useDebouncedValue } from '../hooks/useDebouncedValue';
import { useDocumentTitle } from '../hooks/useDocumentTitle';
import { useMe } from '../hooks/useMe';
import { allTags, filterCatalog } from '../lib/filterCatalog';
import { can } from '../lib/permissions';

export default function CatalogPage() {
  useDocumentTitle('Catalog');
  const catalog = useQuery({ queryKey: queryKeys.catalog(), queryFn: ({ signal }) => api.catalog(signal) });
  const { data: me } = useMe();
  const mayImport = can(me, 'publish').allowed;
  const [text, setText] = useState('');
  const query = useDebouncedValue(text, 200);
  const [tags, setTags] = useState<string[]>([]);

  const items = useMemo(() => catalog.data ?? [], [catalog.data]);
  const tagList = useMemo(() => allTags(items), [items]);
  const shown = useMemo(() => filterCatalog(items, query, tags), [items, query, tags]);
  const toggleTag = (tag: string) => setTags((current) => (current.includes(tag) ? current.filter((t) => t !== tag) : [...current, tag]));

  return (
    <>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold tracking-tight">Catalog</h1>
          <p className="muted mt-1 text-sm">Pick an item, fill in its form, and run it as a sandboxed job.</p>
        </div>
        {mayImport && (
          <Link to="/import" className="btn-secondary">
            Import an item
          </Link>
        )}
      </div>

      <div className="mb-5 flex flex-col gap-3" role="search">
        <div className="max-w-md">
          <label htmlFor="catalog-search" className="label">
            Search
          </label>
          <input
            id="catalog-search"
            type="search"
            className="input"
            placeholder="Name, description, owner or tag"
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </div>
        {tagList.length > 0 && (
          <div role="group" aria-label="Filter by tag" className="flex flex-wrap gap-2">
            {tagList.map((tag) => {
              const on = tags.includes(tag);
              return (
                <button
                  key={tag}
                  type="button"
                  aria-pressed={on}
                  onClick={() => toggleTag(tag)}
                  className={`rounded-full border px-3 py-1 text-xs font-medium ${
                    on
                      ? 'border-indigo-600 bg-indigo-600 text-white dark:border-indigo-400 dark:bg-indigo-500'
                      : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800'
                  }`}
                >
                  {tag}
                </button>
              );
            })}
            {tags.length > 0 && (
              <button type="button" className="link text-xs" onClick={() => setTags([])}>
                Clear tags
              </button>
            )}
          </div>
        )}
      </div>

      {catalog.isPending ? (
        <Loading label="Loading the catalog…" />
      ) : catalog.isError ? (
        <ErrorMessage error={catalog.error} title="Could not load the catalog" onRetry={() => void catalog.refetch()} />
      ) : (
        <>
          <p className="muted mb-3 text-sm" aria-live="polite" data-testid="catalog-count">
            {shown.length === items.length ? `${items.length} ${items.length === 1 ? 'item' : 'items'}` : `${shown.length} of ${items.length} items`}
          </p>
          {items.length === 0 ? (
            <div className="card p-8 text-center">
              <p className="font-medium">The catalog is empty.</p>
              <p className="muted mt-1 text-sm">
                {mayImport ? (
                  <>
                    <Link to="/import" className="link">
                      Import an item
                    </Link>{' '}
                    from a folder, a Git repository or a bundle.
                  </>
                ) : (
                  'A publisher adds items; ask one, or an administrator, for what you need.'
                )}
              </p>
            </div>
          ) : shown.length === 0 ? (
            <p className="card p-6 text-center text-sm">No item matches your search.</p>
          ) : (
            <ul className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {shown.map((item) => (
                <CatalogCard key={item.id} item={item} />
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
