import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { useJobLog } from '../../api/useJobEvents';
import type { LiveLine } from '../../api/logBuffer';
import { AnsiText } from './ansi';

const rowHeight = 20;

const streamClass: Record<LiveLine['stream'], string> = {
  stdout: 'text-slate-100',
  stderr: 'text-red-300',
  system: 'text-sky-300 italic',
};

const Row = memo(function Row({ line }: { line: LiveLine }) {
  return (
    <>
      <span aria-hidden="true" className="inline-block w-14 shrink-0 pr-3 text-right text-slate-400 select-none">
        {line.seq}
      </span>
      <span className={streamClass[line.stream]} data-stream={line.stream}>
        <AnsiText text={line.line} />
      </span>
    </>
  );
});

/**
 * A job's live log: virtualised (only visible rows are in the DOM, so 100,000 lines scroll
 * smoothly), following the end until the user scrolls up, with a button to jump back.
 */
export function LogViewer({ jobId, finished }: { jobId: string; finished: boolean }) {
  const { lines, version, caughtUp } = useJobLog(jobId);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 30,
  });

  // Lines are appended in place, so `version` (not the array) says when to scroll.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (follow && el) el.scrollTop = el.scrollHeight;
  }, [version, follow]);

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

  let status = `${lines.length.toLocaleString()} ${lines.length === 1 ? 'line' : 'lines'}`;
  if (!caughtUp) status = 'Loading log…';
  else if (!lines.length) status = finished ? 'This job wrote no log output.' : 'No log output yet.';

  return (
    <div className="relative">
      <div className="mb-2 flex items-center justify-between gap-2 text-xs">
        <span className="muted" data-testid="log-status">
          {status}
        </span>
        <span className="muted">{follow ? 'Following the end' : 'Paused: scrolled up'}</span>
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
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index]!;
            return (
              <div
                key={line.seq}
                data-seq={line.seq}
                className="absolute top-0 left-0 flex min-w-full pr-3 whitespace-pre"
                style={{ height: rowHeight, lineHeight: `${rowHeight}px`, transform: `translateY(${item.start}px)` }}
              >
                <Row line={line} />
              </div>
            );
          })}
        </div>
      </div>
      {!follow && (
        <button type="button" onClick={jumpToEnd} className="btn-primary absolute right-4 bottom-4 shadow-lg">
          Jump to end <span aria-hidden="true">↓</span>
        </button>
      )}
    </div>
  );
}
