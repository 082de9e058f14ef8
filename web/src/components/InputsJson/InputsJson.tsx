import { useQuery } from '@tanstack/react-query';
import { queryKeys } from '../../api/queryKeys';
import { inputsToJson, parseInputsJson, type ParsedInputs } from '../../lib/inputsJson';
import { ErrorMessage, Loading } from '../QueryState/QueryState';

type Inputs = Record<string, unknown>;

interface Props {
  schema: Record<string, unknown>;
  inputs: Inputs;
  /** Bumps when the inputs were replaced from outside (a preset, a file): the editor starts over from them. */
  revision: number;
  /** Every edit, read: the inputs it holds, or why it holds none. */
  onChange: (parsed: ParsedInputs) => void;
  /** Why the text is not inputs (invalid JSON, not an object), while it is not. */
  problem?: string;
  /** The user tried to leave the tab while the text is not inputs. */
  refused?: boolean;
}

export const jsonProblemId = 'inputs-json-problem';

/**
 * The run form's inputs as JSON, in CodeMirror with the item's schema. The editor and its schema
 * support are a chunk of their own, loaded when the tab first opens, so the item page weighs no
 * more for those who never do.
 */
export function InputsJson({ schema, inputs, revision, onChange, problem, refused }: Props) {
  const editor = useQuery({ queryKey: queryKeys.jsonEditor(), queryFn: () => import('./JsonEditor'), staleTime: Infinity, gcTime: Infinity });
  return (
    <div>
      <p id="inputs-json-hint" className="muted mb-2 text-xs">
        The form&apos;s inputs as JSON: edit them or paste a whole object here and the form follows. Ctrl-Space completes a field or
        value, hovering one explains it, and the schema&apos;s errors are marked as you type. Secret fields show what you typed;
        downloads and copies hold a placeholder instead. Run from the Form tab.
      </p>
      {editor.isPending ? (
        <Loading label="Loading the JSON editor…" />
      ) : editor.isError ? (
        <ErrorMessage error={editor.error} title="The JSON editor could not be loaded" onRetry={() => void editor.refetch()} />
      ) : (
        <editor.data.default
          key={revision}
          schema={schema}
          initialText={inputsToJson(inputs)}
          onText={(text) => onChange(parseInputsJson(text))}
          label="Inputs as JSON"
          describedBy={problem ? `inputs-json-hint ${jsonProblemId}` : 'inputs-json-hint'}
        />
      )}
      {problem && (
        <p id={jsonProblemId} role="alert" className="mt-2 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          {refused ? 'Fix the JSON before going back to the form. ' : ''}
          {problem} The form keeps the last inputs that were valid JSON.
        </p>
      )}
    </div>
  );
}
