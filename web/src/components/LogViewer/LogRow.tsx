import { memo, type MouseEvent } from 'react';
import type { LiveLine } from '../../api/logBuffer';
import { AnsiText, type TextMark } from './ansi';
import { formatLogTime, lineTimestamp } from './logLines';

const streamClass: Record<LiveLine['stream'], string> = {
  stdout: 'text-slate-100',
  stderr: 'text-red-300',
  system: 'text-sky-300 italic',
};

/** What a `::group::` header row needs to draw itself. */
export interface GroupHeader {
  title: string;
  collapsed: boolean;
  /** Lines inside the group so far. */
  size: number;
}

export interface LogRowProps {
  line: LiveLine;
  /** Set when this line opens a group: the row is the group's toggle. */
  header?: GroupHeader;
  /** Inside an expanded group: indented under its header. */
  nested: boolean;
  marks?: readonly TextMark[];
  showTime: boolean;
  /** Named by the URL's `#L…` fragment. */
  selected: boolean;
  onLineLink: (event: MouseEvent<HTMLAnchorElement>, seq: number) => void;
  onToggle: (seq: number) => void;
}

const focusRing = 'rounded-sm focus-visible:outline-2 focus-visible:outline-indigo-400';

/** One row of the log: its line-number permalink, its time if asked for, and its text or group toggle. */
export const LogRow = memo(function LogRow({ line, header, nested, marks, showTime, selected, onLineLink, onToggle }: LogRowProps) {
  const ts = showTime ? lineTimestamp(line) : undefined;
  return (
    <>
      {/* Out of the tab order: a long log would otherwise put a stop on every line. */}
      <a
        href={`#L${line.seq}`}
        onClick={(e) => onLineLink(e, line.seq)}
        tabIndex={-1}
        aria-label={`Line ${line.seq}`}
        className={`inline-block w-14 shrink-0 pr-3 text-right select-none hover:text-slate-100 hover:underline ${selected ? 'text-amber-200' : 'text-slate-400'} ${focusRing}`}
      >
        {line.seq}
      </a>
      {showTime && (
        <time dateTime={ts} title={ts} className="inline-block w-24 shrink-0 pr-3 text-slate-400 tabular-nums select-none" data-testid="log-time">
          {ts ? formatLogTime(ts) : ''}
        </time>
      )}
      {header ? (
        <button
          type="button"
          aria-expanded={!header.collapsed}
          onClick={() => onToggle(line.seq)}
          className={`flex items-center gap-1.5 text-left font-semibold text-slate-100 hover:underline ${focusRing}`}
        >
          <span aria-hidden="true" className="inline-block w-3 text-slate-400">
            {header.collapsed ? '▸' : '▾'}
          </span>
          <span>
            <AnsiText text={header.title} marks={marks} />
          </span>
          <span className="font-normal text-slate-400">
            ({header.size.toLocaleString()} {header.size === 1 ? 'line' : 'lines'})
          </span>
        </button>
      ) : (
        <span className={`${streamClass[line.stream]} ${nested ? 'pl-5' : ''}`} data-stream={line.stream}>
          <AnsiText text={line.line} marks={marks} />
        </span>
      )}
    </>
  );
});
