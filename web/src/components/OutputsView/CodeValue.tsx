import { useId, useRef, useState } from 'react';
import { downloadText } from './downloadText';

/** Lines a long value shows until "Show all". */
export const collapsedLines = 12;
/** Characters a long value shows until "Show all" (a single very long line counts too). */
const collapsedChars = 2000;

const lineCount = (text: string) => text.replace(/\n$/, '').split('\n').length;

/** What the collapsed view shows: the first lines, cut at a length. */
function preview(text: string): string {
  const head = text.split('\n').slice(0, collapsedLines).join('\n');
  return head.length > collapsedChars ? `${head.slice(0, collapsedChars)}…` : head;
}

type CopyState = 'copied' | 'no-clipboard' | undefined;

/**
 * A long or multi-line value (a Terraform plan, SQL, a generated file, JSON): monospace and kept
 * as written, with Copy and Download, collapsed to its first lines behind "Show all (N lines)".
 * Copy and Download take the whole value, collapsed or not.
 */
export function CodeValue({ name, text, json = false }: { name: string; text: string; json?: boolean }) {
  const id = useId();
  const pre = useRef<HTMLPreElement>(null);
  const [expanded, setExpanded] = useState(false);
  const [copy, setCopy] = useState<CopyState>();
  const lines = lineCount(text);
  const collapsible = lines > collapsedLines || text.length > collapsedChars;
  const collapsed = collapsible && !expanded;

  const copyAll = async () => {
    try {
      // navigator.clipboard is missing outside secure contexts, and writeText rejects when permission is refused.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setCopy('copied');
    } catch {
      // Show it all, selected, to copy by hand.
      setExpanded(true);
      setCopy('no-clipboard');
      requestAnimationFrame(() => {
        if (pre.current) getSelection()?.selectAllChildren(pre.current);
        pre.current?.focus();
      });
    }
  };

  return (
    <div role="group" aria-label={name} className="min-w-0">
      {/* Focusable: a long value scrolls inside its box, and keyboard users must be able to scroll it too. */}
      <pre
        id={id}
        ref={pre}
        tabIndex={0}
        aria-label={`${name}${json ? ', as JSON' : ''}${collapsed ? `, first ${collapsedLines} lines` : ''}`}
        className="max-h-[32rem] overflow-auto rounded bg-slate-100 p-2 font-mono text-xs whitespace-pre focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:bg-slate-800"
      >
        {collapsed ? preview(text) : text}
      </pre>
      <div className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs">
        {collapsible && (
          <button type="button" className="link" aria-expanded={expanded} aria-controls={id} onClick={() => setExpanded(!expanded)}>
            {expanded ? 'Show less' : `Show all (${lines === 1 ? `${text.length} characters` : `${lines} lines`})`}
          </button>
        )}
        <button type="button" className="link" aria-label={`Copy ${name}`} onClick={() => void copyAll()}>
          Copy
        </button>
        <button type="button" className="link" aria-label={`Download ${name}`} onClick={() => downloadText(name, text, json)}>
          Download
        </button>
        <span role="status" className="muted">
          {copy === 'copied' ? 'Copied.' : copy === 'no-clipboard' ? 'The clipboard is not available here: the value is selected, copy it yourself.' : ''}
        </span>
      </div>
    </div>
  );
}
