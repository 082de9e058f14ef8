import type { ValidatedRun } from '../../api/client';

/** The dry run's answer: the inputs as the server would run them, its defaults filled in and secrets masked. */
export function ValidationResult({ answer }: { answer: ValidatedRun }) {
  return (
    <section
      aria-labelledby="validation-result-heading"
      className="rounded-md border border-green-300 bg-green-50 p-3 text-sm text-green-950 dark:border-green-800 dark:bg-green-950 dark:text-green-100"
      data-testid="validation-result"
    >
      <h3 id="validation-result-heading" className="font-semibold">
        Valid — this is what would run
      </h3>
      <p className="mt-1 text-xs">
        {answer.itemId}@{answer.version} with these inputs, the schema&apos;s defaults filled in; secrets show as ********. Nothing was started.
      </p>
      <pre tabIndex={0} aria-label="The inputs as they would run" className="mt-2 max-h-80 overflow-auto rounded bg-white/60 p-2 font-mono text-xs dark:bg-black/20">
        {JSON.stringify(answer.inputs, null, 2)}
      </pre>
    </section>
  );
}
