import type { ImportResult, ImportSource } from '@shelf/contract';
import { toAppError } from '../errors.js';
import type { ImportLog } from './importLog.js';

/** Runs an import and records the attempt and its outcome in the import log, whatever happens. */
export async function recordImport(
  log: ImportLog,
  source: ImportSource,
  run: () => Promise<ImportResult>,
): Promise<{ importId: string; result: ImportResult }> {
  const { importId } = await log.create(source, 'running');
  try {
    const result = await run();
    await log.update(importId, { state: 'done', results: [{ ...result }] });
    return { importId, result };
  } catch (err) {
    // Which item it was is unknown when the manifest itself is unreadable, so the reason sits on the attempt.
    await log.update(importId, { state: 'failed', error: describeImportError(err), results: [] });
    throw err;
  }
}

/** An import failure in one line, with every validation problem named by file and JSON path. */
export function describeImportError(err: unknown): string {
  const known = toAppError(err);
  if (known) {
    const problems = (known.details as { problems?: { file: string; path: string; message: string }[] } | undefined)?.problems;
    if (problems?.length) return `${known.message}: ${problems.map((p) => `${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('; ')}`;
    return known.message;
  }
  return (err as Error).message ?? String(err);
}
