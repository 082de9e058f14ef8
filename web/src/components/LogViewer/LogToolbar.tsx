import { useId, type KeyboardEvent, type RefObject } from 'react';

export interface LogToolbarProps {
  searchRef: RefObject<HTMLInputElement | null>;
  query: string;
  onQuery: (query: string) => void;
  /** Matches found, the one the user is on (-1: none), and whether there are more than counted. */
  matches: { count: number; current: number; capped: boolean };
  onStep: (direction: 1 | -1) => void;
  showTime: boolean;
  onShowTime: (show: boolean) => void;
  onDownload: () => void;
  downloading: boolean;
  downloadError?: string;
}

function matchText({ count, current, capped }: LogToolbarProps['matches']): string {
  if (!count) return 'No matches';
  const total = `${count.toLocaleString()}${capped ? '+' : ''}`;
  return current >= 0 ? `${(current + 1).toLocaleString()} of ${total}` : `${total} matches`;
}

/** Search (Enter / Shift+Enter step through matches, Esc clears), the timestamps switch and the raw download. */
export function LogToolbar(props: LogToolbarProps) {
  const { searchRef, query, onQuery, matches, onStep, showTime, onShowTime, onDownload, downloading, downloadError } = props;
  const timeId = useId();

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      onStep(e.shiftKey ? -1 : 1);
    } else if (e.key === 'Escape' && query) {
      e.preventDefault();
      onQuery('');
    }
  };

  return (
    <div className="mb-2 flex flex-wrap items-center gap-2 text-sm">
      <div className="flex min-w-0 flex-1 items-center gap-1.5" role="search">
        <input
          ref={searchRef}
          type="search"
          value={query}
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder="Search the log"
          aria-label="Search the log"
          aria-keyshortcuts="Control+F Meta+F"
          className="input max-w-72 min-w-32 flex-1 py-1"
        />
        {query && (
          <span role="status" className="muted text-xs whitespace-nowrap tabular-nums" data-testid="log-search-count">
            {matchText(matches)}
          </span>
        )}
        <button type="button" className="btn-secondary px-2 py-1" onClick={() => onStep(-1)} disabled={!matches.count} aria-label="Previous match" title="Previous match (Shift+Enter)">
          <span aria-hidden="true">↑</span>
        </button>
        <button type="button" className="btn-secondary px-2 py-1" onClick={() => onStep(1)} disabled={!matches.count} aria-label="Next match" title="Next match (Enter)">
          <span aria-hidden="true">↓</span>
        </button>
      </div>
      <div className="flex items-center gap-3">
        <label htmlFor={timeId} className="flex items-center gap-1.5 text-slate-700 dark:text-slate-300">
          <input id={timeId} type="checkbox" checked={showTime} onChange={(e) => onShowTime(e.target.checked)} className="size-4 accent-indigo-600" />
          Timestamps
        </label>
        <button type="button" className="btn-secondary py-1" onClick={onDownload} disabled={downloading}>
          {downloading ? 'Downloading…' : 'Download log'}
        </button>
      </div>
      {downloadError && (
        <p role="alert" className="w-full text-xs text-red-700 dark:text-red-300">
          Could not download the log: {downloadError}
        </p>
      )}
    </div>
  );
}
