import type { InputHTMLAttributes, ReactNode, Ref } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id'> {
  id: string;
  label: string;
  /** Shown under the field in red and tied to it, so screen readers read it with the field. */
  error?: string;
  hint?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

/** The ids a field's control is described by: its error, then its hint. */
export function fieldIds(id: string, error?: string, hint?: ReactNode) {
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return { hintId, errorId, describedBy: [errorId, hintId].filter(Boolean).join(' ') || undefined };
}

/** A label, a control and the control's error and hint under it: the frame of every field. */
export function FieldFrame({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: ReactNode; children: ReactNode }) {
  const { hintId, errorId } = fieldIds(id, error, hint);
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}
      </label>
      {children}
      {error && (
        <p id={errorId} className="mt-1 text-xs font-medium text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="muted mt-1 text-xs">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A labelled input with its hint and its error. */
export function TextField({ id, label, error, hint, className = '', ...input }: Props) {
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      <input id={id} className={`input ${className}`} aria-invalid={error ? true : undefined} aria-describedby={fieldIds(id, error, hint).describedBy} {...input} />
    </FieldFrame>
  );
}
