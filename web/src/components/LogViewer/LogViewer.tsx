import { useMutation } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { api } from '../../api/client';
import { useJobLog } from '../../api/useJobEvents';
import { fetchRawLog, rawLogFileName, saveTextFile } from './downloadLog';
import { formatLineAnchor, parseLineAnchor } from './lineAnchor';
import { LogLayout } from './logLayout';
import { indexOfSeq } from './logLines';
import { LogRow } from './LogRow';
import { LogSearch } from './logSearch';
import { LogToolbar } from './LogToolbar';
import { useTimestampsSetting } from './useTimestampsSetting';

const rowHeight = 20;

/** A line to bring into view once the rows it needs have rendered. */
interface ScrollRequest {
  line: number;
}

/**
 * A job's live log: virtualised (only visible rows are in the DOM, so 100,000 lines scroll
 * smoothly), following the end until the user scrolls up, with a button to jump back. It
 * searches, shows times, links to lines (`#L42`, `#L10-L20`), downloads the raw log and folds
 * `::group::` sections.
 */
export function LogViewer({ jobId, finished }: { jobId: string; finished: boolean }) {
  const { lines, version, caughtUp } = useJobLog(jobId);
  const location = useLocation();
  const navigate = useNavigate();
  const anchor = parseLineAnchor(location.hash);
  const scrollRef = useRef<HTMLDivElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // Opened at a line (#L42): stay there rather than follow the end.
  const [follow, setFollow] = useState(() => anchor === null);
  const [showTime, setShowTime] = useTimestampsSetting();
  const [query, setQuery] = useState('');
  const [current, setCurrent] = useState(-1);
  const [scrollRequest, setScrollRequest] = useState<ScrollRequest | null>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const [layout] = useState(() => new LogLayout());
  const [search] = useState(() => new LogSearch());

  // Both take in only the lines appended since the last render; with nothing new they do nothing.
  layout.sync(lines);
  search.sync(lines, query);
  const active = current < search.count ? current : -1;

  const virtualizer = useVirtualizer({
    count: layout.rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 30,
  });

  // Lines are appended in place, so `version` (not the array) says when to scroll.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [version, follow]);

  useLayoutEffect(() => {
    const row = scrollRequest ? layout.rowOf(scrollRequest.line) : -1;
    if (row >= 0) virtualizer.scrollToIndex(row, { align: 'center' });
  }, [scrollRequest, layout, virtualizer]);

  /** Expands what hides the line, stops following the end and scrolls the line into the middle. */
  const reveal = useCallback(
    (line: number) => {
      if (layout.reveal(line)) rerender();
      setFollow(false);
      setScrollRequest({ line });
    },
    [layout],
  );

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < rowHeight * 2;
    setFollow(atEnd);
  }, []);

  const jumpToEnd = () => {
    setFollow(true);
    const el = scrollRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  };

  // Search.
  const goToMatch = (k: number) => {
    setCurrent(k);
    if (k >= 0) reveal(search.lineOfMatch(k));
  };
  const onQuery = (next: string) => {
    setQuery(next);
    search.sync(lines, next);
    goToMatch(next && search.count ? 0 : -1);
  };
  const onStep = (direction: 1 | -1) => {
    const n = search.count;
    if (!n) return;
    goToMatch(active < 0 ? (direction > 0 ? 0 : n - 1) : (active + direction + n) % n);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'f') {
      e.preventDefault();
      searchRef.current?.focus();
      searchRef.current?.select();
    }
  };

  // Permalinks: a `#L…` fragment, from the address bar or a click on a line number.
  const handledHash = useRef<string | null>(null);
  const clickedHash = useRef<string | null>(null);
  useEffect(() => {
    const target = parseLineAnchor(location.hash);
    if (!target || handledHash.current === location.hash) return;
    const index = indexOfSeq(lines, target.from);
    // Not loaded yet: try again as lines arrive.
    if (index < 0) return;
    handledHash.current = location.hash;
    // A clicked line number is on screen already.
    if (clickedHash.current === location.hash) return;
    scrollRef.current?.scrollIntoView?.({ block: 'center' });
    reveal(index);
  }, [location.hash, lines, version, reveal]);

  const { pathname, search: locationSearch } = location;
  const anchorFrom = anchor?.from;
  const onLineLink = useCallback(
    (e: MouseEvent<HTMLAnchorElement>, seq: number) => {
      // Ctrl/Cmd/middle click: the browser opens the link elsewhere, as with any link.
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.altKey) return;
      e.preventDefault();
      const range = e.shiftKey && anchorFrom !== undefined ? { from: Math.min(anchorFrom, seq), to: Math.max(anchorFrom, seq) } : { from: seq, to: seq };
      if (e.shiftKey) window.getSelection()?.removeAllRanges();
      const hash = formatLineAnchor(range);
      clickedHash.current = hash;
      void navigate({ pathname, search: locationSearch, hash }, { preventScrollReset: true });
    },
    [anchorFrom, pathname, locationSearch, navigate],
  );

  const onToggle = useCallback(
    (seq: number) => {
      const group = layout.headerOf(indexOfSeq(lines, seq));
      if (!group) return;
      layout.setCollapsed(group, !layout.isCollapsed(group));
      rerender();
    },
    [layout, lines],
  );

  const download = useMutation({
    mutationFn: () => fetchRawLog(jobId, (id, after) => api.jobLogs(id, after)),
    onSuccess: (text) => saveTextFile(text, rawLogFileName(jobId)),
  });

  let status = `${lines.length.toLocaleString()} ${lines.length === 1 ? 'line' : 'lines'}`;
  if (!caughtUp) status = 'Loading log…';
  else if (!lines.length) status = finished ? 'This job wrote no log output.' : 'No log output yet.';

  // A log that fits in the box cannot be scrolled up from its end, whatever `follow` says.
  const paused = !follow && virtualizer.getTotalSize() > (virtualizer.scrollRect?.height ?? 0);
  const items = virtualizer.getVirtualItems();

  return (
    <div className="relative" onKeyDown={onKeyDown}>
      <LogToolbar
        searchRef={searchRef}
        query={query}
        onQuery={onQuery}
        matches={{ count: search.count, current: active, capped: search.capped }}
        onStep={onStep}
        showTime={showTime}
        onShowTime={setShowTime}
        onDownload={() => download.mutate()}
        downloading={download.isPending}
        downloadError={download.error?.message}
      />
      <div className="mb-2 flex items-center justify-between gap-2 text-xs">
        <span className="muted" data-testid="log-status">
          {status}
        </span>
        <span className="muted">{paused ? 'Paused: scrolled up' : follow ? 'Following the end' : ''}</span>
      </div>
      <div
        ref={scrollRef}
        onScroll={onScroll}
        role="log"
        aria-live="off"
        aria-label="Job log"
        tabIndex={0}
        data-testid="log-viewer"
        className="h-[28rem] max-h-[70vh] overflow-auto rounded-md bg-slate-900 py-2 font-mono text-xs ring-1 ring-slate-700 dark:bg-black"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth: '100%' }}>
          {items.map((item) => {
            const index = layout.rows[item.index]!;
            const line = lines[index]!;
            const header = layout.headerOf(index);
            const selected = anchor !== null && line.seq >= anchor.from && line.seq <= anchor.to;
            return (
              <div
                key={line.seq}
                data-seq={line.seq}
                data-selected={selected || undefined}
                className={`absolute top-0 left-0 flex min-w-full pr-3 whitespace-pre ${selected ? 'bg-amber-300/10 shadow-[inset_3px_0_0_var(--color-amber-300)]' : ''}`}
                style={{ height: rowHeight, lineHeight: `${rowHeight}px`, transform: `translateY(${item.start}px)` }}
              >
                <LogRow
                  line={line}
                  header={header && { title: header.title, collapsed: layout.isCollapsed(header), size: header.size }}
                  nested={!header && layout.groupAt(index) !== undefined}
                  marks={search.marksOn(index, active)}
                  showTime={showTime}
                  selected={selected}
                  onLineLink={onLineLink}
                  onToggle={onToggle}
                />
              </div>
            );
          })}
        </div>
      </div>
      {paused && (
        <button type="button" onClick={jumpToEnd} className="btn-primary absolute right-4 bottom-4 shadow-lg">
          Jump to end <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
