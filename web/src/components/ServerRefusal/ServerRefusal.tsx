import type { Problem } from '@shelf/contract';
import { ApiError } from '../../api/client';
import { ProblemList } from '../ProblemList/ProblemList';
import { ErrorMessage } from '../QueryState/QueryState';

interface Props {
  /** What the server answered a run or a check with. */
  error: unknown;
  /** Its problems about the inputs, which the form shows under their fields. */
  inputProblems: Problem[];
  /** The form is out of sight (the JSON tab is open): list those problems here too. */
  listInputProblems: boolean;
  title: string;
}

/** Why the server refused the inputs: a pointer to the fields it faults, or its other problems, or its error. */
export function ServerRefusal({ error, inputProblems, listInputProblems, title }: Props) {
  if (!inputProblems.length) {
    const other = error instanceof ApiError ? error.problems : [];
    return <div className="mb-4">{other.length ? <ProblemList problems={other} title="The server refused the inputs" /> : <ErrorMessage error={error} title={title} />}</div>;
  }
  return (
    <div role="alert" className="mb-4 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p>
        The server found {inputProblems.length === 1 ? 'a problem' : `${inputProblems.length} problems`} with the inputs;
        {listInputProblems ? ' the Form tab shows each under its field:' : ' see the fields below.'}
      </p>
      {listInputProblems && (
        <ul className="mt-1 list-disc pl-5 text-xs">
          {inputProblems.map((p) => (
            <li key={`${p.path} ${p.message}`}>
              <code className="font-mono">{p.path || '/'}</code> {p.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
