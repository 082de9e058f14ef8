import { useEffect, useRef, useState } from 'react';
import { cliCommand, curlCommand, type RunRequest } from '../../lib/runCommands';

const kinds = {
  curl: { button: 'Copy as curl', what: 'curl command', make: curlCommand },
  cli: { button: 'Copy as CLI command', what: 'CLI commands', make: cliCommand },
} as const;
type Kind = keyof typeof kinds;

/** A word on the placeholders a copy holds instead of secrets: left in, they would be the values the job gets. */
const placeholders = (text: string) => (text.includes('<secret: ') ? ' Replace its <secret: …> placeholders before running it.' : '');

interface Props {
  /** The run to copy, its secrets already replaced by placeholders; asked for at the moment of copying. */
  request: () => RunRequest;
  disabled?: boolean;
  /** Why the buttons are disabled (the id of the text that says so). */
  describedBy?: string;
}

/**
 * The current inputs as a command to paste in a terminal: curl against the API, or the CLI.
 * Where the browser offers no clipboard (plain HTTP, a refused permission), the command shows
 * selected in a read-only box instead, to copy by hand.
 */
export function CopyCommand({ request, disabled, describedBy }: Props) {
  const [copied, setCopied] = useState<{ kind: Kind; text: string; ok: boolean }>();
  const fallback = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (copied && !copied.ok) {
      fallback.current?.focus();
      fallback.current?.select();
    }
  }, [copied]);

  const copy = async (kind: Kind) => {
    const text = kinds[kind].make(request());
    try {
      // navigator.clipboard is missing outside secure contexts, and writeText rejects when permission is refused.
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setCopied({ kind, text, ok: true });
    } catch {
      setCopied({ kind, text, ok: false });
    }
  };

  return (
    <div className="flex flex-col">
      <div className="flex flex-wrap gap-2">
        {(Object.keys(kinds) as Kind[]).map((kind) => (
          <button key={kind} type="button" className="btn-secondary" disabled={disabled} aria-describedby={describedBy} onClick={() => void copy(kind)}>
            {kinds[kind].button}
          </button>
        ))}
      </div>
      <p role="status" className="text-xs text-green-800 not-empty:mt-2 dark:text-green-300">
        {copied?.ok ? `Copied the ${kinds[copied.kind].what}.${placeholders(copied.text)}` : ''}
      </p>
      {copied && !copied.ok && (
        <div className="mt-2">
          <label htmlFor="copy-command-fallback" className="label">
            The {kinds[copied.kind].what}: the clipboard is not available here, so copy it from this box yourself
          </label>
          {placeholders(copied.text) && <p className="muted mb-1 text-xs">{placeholders(copied.text).trim()}</p>}
          <textarea
            id="copy-command-fallback"
            ref={fallback}
            readOnly
            value={copied.text}
            rows={Math.min(12, copied.text.split('\n').length + 1)}
            onFocus={(e) => e.target.select()}
            className="input font-mono text-xs"
          />
        </div>
      )}
    </div>
  );
}
