import { useState, type InputHTMLAttributes, type ReactNode, type Ref } from 'react';
import { FieldFrame, fieldIds } from '../TextField/TextField';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type'> {
  id: string;
  ref?: Ref<HTMLInputElement>;
}

/**
 * A password field for a secret, with a button that shows what was typed and hides it again.
 * Browsers neither fill it from saved passwords (`new-password`) nor send it to a spell checker.
 */
export function SecretInput({ id, className = '', ...input }: Props) {
  const [shown, setShown] = useState(false);
  return (
    <div className="flex gap-2">
      <input
        id={id}
        type={shown ? 'text' : 'password'}
        autoComplete="new-password"
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        className={`input min-w-0 flex-1 font-mono ${className}`}
        {...input}
      />
      <button
        type="button"
        className="btn-secondary w-16 shrink-0"
        aria-pressed={shown}
        aria-controls={id}
        disabled={input.disabled}
        onClick={() => setShown((s) => !s)}
      >
        {shown ? 'Hide' : 'Show'}
      </button>
    </div>
  );
}

/** A labelled SecretInput with its hint and its error, laid out like TextField. */
export function SecretField({ id, label, hint, error, ...input }: Props & { label: string; hint?: ReactNode; error?: string }) {
  return (
    <FieldFrame id={id} label={label} error={error} hint={hint}>
      <SecretInput id={id} aria-invalid={error ? true : undefined} aria-describedby={fieldIds(id, error, hint).describedBy} {...input} />
    </FieldFrame>
  );
}
