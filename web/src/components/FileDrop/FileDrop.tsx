import { useState, type DragEvent } from 'react';

interface Props {
  accept: string;
  onFile: (file: File) => void;
  disabled?: boolean;
}

/** A drop zone that is also a keyboard-reachable file picker. */
export function FileDrop({ accept, onFile, disabled = false }: Props) {
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file && !disabled) onFile(file);
  };
  return (
    <div
      data-testid="drop-zone"
      onDragOver={(e) => {
        e.preventDefault();
        if (!disabled) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={`flex flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed p-8 text-center text-sm transition-colors ${
        over ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-950' : 'border-slate-300 dark:border-slate-700'
      }`}
    >
      <p className="muted">Drag a bundle (.tar.gz) here, or</p>
      <label className={`btn-secondary focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-indigo-600 ${disabled ? 'pointer-events-none opacity-50' : 'cursor-pointer'}`}>
        Choose a file
        <input
          type="file"
          accept={accept}
          className="sr-only"
          disabled={disabled}
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onFile(file);
            e.target.value = '';
          }}
        />
      </label>
    </div>
  );
}
