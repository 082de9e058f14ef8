import { useEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  /** Prefix of the element ids (`<id>-heading`, `<id>-secret`). */
  id: string;
  heading: ReactNode;
  /** Why it must be copied now. */
  warning: string;
  /** What the field is, for screen readers. */
  label: string;
  secret: string;
  testId: string;
  /** How the secret is used. */
  children?: ReactNode;
  onDone: () => void;
}

/** A secret just created (an API token, a webhook's signing key): the only time anyone sees it. */
export function SecretOnce({ id, heading, warning, label, secret, testId, children, onDone }: Props) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | undefined>();
  useEffect(() => headingRef.current?.focus(), []);
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied('yes'),
      () => setCopied('failed'),
    );
  return (
    <section
      aria-labelledby={`${id}-heading`}
      className="rounded-md border border-green-300 bg-green-50 p-4 text-sm text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-100"
    >
      <h3 id={`${id}-heading`} ref={headingRef} tabIndex={-1} className="font-semibold focus:outline-none">
        {heading}
      </h3>
      <p className="mt-1 font-medium">{warning}</p>
      <label htmlFor={`${id}-secret`} className="sr-only">
        {label}
      </label>
      <div className="mt-3 flex flex-wrap items-center gap-2">
        <input id={`${id}-secret`} readOnly value={secret} onFocus={(e) => e.target.select()} className="input min-w-0 flex-1 font-mono text-xs" data-testid={testId} />
        <button type="button" className="btn-secondary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p role="status" className="mt-1 min-h-4 text-xs">
        {copied === 'yes' ? 'Copied to the clipboard.' : copied === 'failed' ? 'Could not copy; select the text and copy it yourself.' : ''}
      </p>
      {children && <p className="mt-2 text-xs">{children}</p>}
      <button type="button" className="btn-primary mt-3" onClick={onDone}>
        I have copied it
      </button>
    </section>
  );
}
