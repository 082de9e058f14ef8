import { useState, type ChangeEvent } from 'react';
import { parseInputsJson } from '../../lib/inputsJson';

interface Props {
  /** The name a download is saved under. */
  fileName: string;
  /** The JSON to download, its secrets already replaced by placeholders; asked for at the moment of downloading. */
  json: () => string;
  /** Fills the form with an uploaded file's inputs. */
  onLoad: (inputs: Record<string, unknown>) => void;
  /** Downloading only: uploading replaces the inputs, which is always allowed. */
  downloadDisabled?: boolean;
  describedBy?: string;
}

/** The inputs as a `.json` file: saved from the form, or loaded into it. */
export function InputsFile({ fileName, json, onLoad, downloadDisabled, describedBy }: Props) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  const download = () => {
    const text = json();
    const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    link.click();
    // The click has handed the file to the browser's download by the time this runs.
    setTimeout(() => URL.revokeObjectURL(url), 0);
    setOutcome({ ok: true, text: `Downloaded ${fileName}.${text.includes('<secret: ') ? ' Its secret inputs are <secret: …> placeholders.' : ''}` });
  };

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    // So choosing the same file again, after fixing it, is a change too.
    e.target.value = '';
    if (!file) return;
    const parsed = parseInputsJson(await file.text());
    if (!parsed.ok) {
      setOutcome({ ok: false, text: `${file.name} was not loaded. ${parsed.message}` });
      return;
    }
    onLoad(parsed.inputs);
    setOutcome({ ok: true, text: `Filled the form from ${file.name}.` });
  };

  return (
    <div className="flex flex-col">
      <div className="flex flex-wrap gap-2">
        <button type="button" className="btn-secondary" disabled={downloadDisabled} aria-describedby={describedBy} onClick={download}>
          Download JSON
        </button>
        <label className="btn-secondary cursor-pointer focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-indigo-600 dark:focus-within:outline-indigo-400">
          Upload JSON…
          <input type="file" accept="application/json,.json" className="sr-only" onChange={(e) => void upload(e)} />
        </label>
      </div>
      <p role="status" className="muted text-xs not-empty:mt-2">
        {outcome?.ok ? outcome.text : ''}
      </p>
      {outcome && !outcome.ok && (
        <p role="alert" className="mt-2 text-xs font-medium text-red-700 dark:text-red-400">
          {outcome.text}
        </p>
      )}
    </div>
  );
}
