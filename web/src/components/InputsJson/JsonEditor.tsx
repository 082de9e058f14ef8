import { Compartment, EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useLayoutEffect, useRef } from 'react';
import { jsonEditorExtensions } from './editorSetup';

export interface JsonEditorProps {
  schema: Record<string, unknown>;
  /** The text it starts with; later changes are its own (the tab remounts it to start over). */
  initialText: string;
  onText: (text: string) => void;
  /** The editable area's accessible name and description. */
  label: string;
  describedBy: string;
}

const attributes = (label: string, describedBy: string) => EditorView.contentAttributes.of({ 'aria-label': label, 'aria-describedby': describedBy });

/** CodeMirror, loaded only when someone opens the JSON tab (see InputsJson). */
export default function JsonEditor({ schema, initialText, onText, label, describedBy }: JsonEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(undefined);
  const labelling = useRef(new Compartment());
  const latest = useRef({ onText, schema, initialText, label, describedBy });
  useLayoutEffect(() => {
    latest.current = { onText, schema, initialText, label, describedBy };
  });

  // Created once: the editor owns its document from then on (and its undo history with it).
  useEffect(() => {
    const { schema, initialText, label, describedBy } = latest.current;
    const extensions = [jsonEditorExtensions(schema, (text) => latest.current.onText(text)), labelling.current.of(attributes(label, describedBy))];
    view.current = new EditorView({ parent: host.current!, state: EditorState.create({ doc: initialText, extensions }) });
    return () => view.current?.destroy();
  }, []);

  useEffect(() => {
    view.current?.dispatch({ effects: labelling.current.reconfigure(attributes(label, describedBy)) });
  }, [label, describedBy]);

  return (
    <div
      ref={host}
      className="overflow-hidden rounded-md border border-slate-300 bg-white focus-within:outline-2 focus-within:outline-offset-2 focus-within:outline-indigo-600 dark:border-slate-600 dark:bg-slate-800 dark:focus-within:outline-indigo-400"
      data-testid="json-editor"
    />
  );
}
