import { QueueName } from './keys.js';

/**
 * Routing labels (SPEC §11): a worker has some (`SHELF_WORKER_LABELS=gpu,eu-west`), an item asks
 * for some (manifest `runsOn: [gpu]`), and only a worker having every label an item asks for
 * takes its jobs.
 *
 * Each set of labels items ask for has a BullMQ queue of its own: `shelf-run` for none,
 * `shelf-run@eu-west+gpu` for `[gpu, eu-west]` (sorted, so the same set is always the same
 * queue). A worker consumes the queue of every label set it covers. A label set is recorded
 * (keys.runQueues) when a job is first queued on it, so a worker that starts later finds it.
 */

/** Lowercase, so `GPU` and `gpu` are not two labels; no `+` or `@`, which build queue names. */
export const workerLabelPattern = '^[a-z0-9][a-z0-9._-]{0,39}$';
const labelRegExp = new RegExp(workerLabelPattern);

/** The most labels a worker may have and an item may ask for. */
export const maxWorkerLabels = 16;

export function isWorkerLabel(value: string): boolean {
  return labelRegExp.test(value);
}

/** Sorted and without repeats: the one form of a label set. */
export function normalizeLabels(labels: readonly string[] | undefined): string[] {
  return [...new Set(labels ?? [])].sort();
}

/** The BullMQ queue of the jobs that ask for exactly these labels. */
export function runQueueName(labels: readonly string[] | undefined): string {
  const set = normalizeLabels(labels);
  return set.length === 0 ? QueueName.run : `${QueueName.run}@${set.join('+')}`;
}

/** The labels a run queue's jobs ask for; undefined for a name that is not a run queue. */
export function labelsOfRunQueue(name: string): string[] | undefined {
  if (name === QueueName.run) return [];
  const prefix = `${QueueName.run}@`;
  if (!name.startsWith(prefix)) return undefined;
  const labels = name.slice(prefix.length).split('+');
  return labels.every(isWorkerLabel) ? normalizeLabels(labels) : undefined;
}

/** Whether a worker having `workerLabels` may take a job asking for `wanted`. */
export function coversLabels(workerLabels: readonly string[], wanted: readonly string[]): boolean {
  const have = new Set(workerLabels);
  return wanted.every((label) => have.has(label));
}

/** "gpu, eu-west" for messages; "no labels" when there are none. */
export function describeLabels(labels: readonly string[]): string {
  return labels.length === 0 ? 'no labels' : labels.join(', ');
}
