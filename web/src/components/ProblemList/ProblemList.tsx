import type { Problem } from '@shelf/contract';

/** Validation problems grouped by file, each with the JSON path of the field it concerns. */
export function ProblemList({ problems, title = 'Validation failed' }: { problems: Problem[]; title?: string }) {
  const byFile = new Map<string, Problem[]>();
  for (const p of problems) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 p-4 text-sm text-red-950 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
      <p className="font-semibold">
        {title}: {problems.length} {problems.length === 1 ? 'problem' : 'problems'}
      </p>
      {[...byFile].map(([file, list]) => (
        <section key={file} className="mt-3" aria-label={`Problems in ${file}`}>
          <h3 className="font-mono text-xs font-semibold">{file || '(bundle)'}</h3>
          <ul className="mt-1 space-y-1" data-testid="problem-list">
            {list.map((p, i) => (
              <li key={i} className="flex flex-wrap gap-x-2">
                <code className="rounded bg-red-100 px-1 font-mono text-xs dark:bg-red-900">{p.path || '/'}</code>
                <span>{p.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
