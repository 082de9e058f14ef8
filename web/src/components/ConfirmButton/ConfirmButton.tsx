import { useEffect, useRef, useState } from 'react';

interface Props {
  /** The button's text ("Revoke"). */
  label: string;
  /** Its accessible name when the text alone is ambiguous in a list ("Revoke token ci"). */
  name?: string;
  /** Asked before acting ("Revoke token ci? Programs using it stop working at once."). */
  question: string;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  pending?: boolean;
  pendingLabel?: string;
  className?: string;
}

/**
 * A destructive action asked twice, in place: the first press asks the question next to the
 * button, the second does it. Focus follows, so keyboard users land on the answer and back.
 */
export function ConfirmButton({ label, name, question, confirmLabel, cancelLabel = 'Cancel', onConfirm, pending = false, pendingLabel, className = 'btn-danger px-2 py-1 text-xs' }: Props) {
  const [asking, setAsking] = useState(false);
  const confirm = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);

  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (returnFocus.current) start.current?.focus();
    returnFocus.current = false;
  }, [asking]);

  if (pending) {
    return (
      <button type="button" className={className} disabled>
        {pendingLabel ?? `${label}…`}
      </button>
    );
  }
  if (!asking) {
    return (
      <button ref={start} type="button" className={className} aria-label={name} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span role="group" aria-label={question} className="inline-flex flex-wrap items-center gap-2">
      <span className="text-xs">{question}</span>
      <button
        ref={confirm}
        type="button"
        className={className}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button
        type="button"
        className="btn-secondary px-2 py-1 text-xs"
        onClick={() => {
          returnFocus.current = true;
          setAsking(false);
        }}
      >
        {cancelLabel}
      </button>
    </span>
  );
}
