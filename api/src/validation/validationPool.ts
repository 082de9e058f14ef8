import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ItemTexts, ItemValidation, VersionRecord } from '@shelf/contract';
import { UnavailableError, ValidationError } from '../errors.js';
import type { ThreadAnswer, ThreadData, ThreadTask } from './validationThread.js';

export interface ValidationPoolOptions {
  /** Threads validating at once. */
  threads: number;
  /** Longest one check of job inputs may run once its schema is compiled. */
  validateBudgetMs: number;
  /** Longest checking an item at import, or compiling a version's schema on a thread, may run. */
  compileBudgetMs: number;
  /** Tasks waiting for a thread; past it, 503. */
  queueLimit: number;
  /** Compiled validators each thread keeps, by bundle digest. */
  cacheSize: number;
  /** Heap of one thread; a task that needs more is stopped like a slow one. */
  memoryMb: number;
}

export const defaultPoolOptions: ValidationPoolOptions = {
  threads: Math.min(4, Math.max(2, os.availableParallelism() - 1)),
  validateBudgetMs: 1000,
  compileBudgetMs: 5000,
  queueLimit: 64,
  cacheSize: 200,
  memoryMb: 256,
};

type Task = ThreadTask extends infer T ? (T extends unknown ? Omit<T, 'id'> : never) : never;

/** A task stopped because it went over its time or memory budget. */
class OverBudget extends Error {}

interface Waiting {
  /** The message for the thread that takes it, and that task's budget. */
  build: (thread: Thread) => { task: Task; budgetMs: number };
  /** Prefer a thread for which this holds (one that has the validator compiled). */
  prefers?: (thread: Thread) => boolean;
  resolve: (answer: ThreadAnswer, thread: Thread) => void;
  reject: (err: Error) => void;
}

interface Thread {
  worker: Worker;
  ready: boolean;
  /** Digests this thread has compiled, in its cache's order (the thread says so when it has not). */
  known: Set<string>;
  running?: { id: number; waiting: Waiting; timer: NodeJS.Timeout };
  lastError?: Error;
}

/**
 * Compiles item schemas and checks job inputs on worker threads, so that no schema or input,
 * however hostile, holds the API's event loop: each task has a time and memory budget, a
 * thread that runs past it is terminated and replaced, and the task is refused (422).
 */
/** Inputs that passed their schema, with its defaults applied, and where among them the secret (writeOnly) values are. */
export interface ValidatedInputs {
  inputs: Record<string, unknown>;
  secretPointers: string[];
}

export class ValidationPool {
  private readonly opts: ValidationPoolOptions;
  private readonly threads: Thread[] = [];
  private readonly queue: Waiting[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: Partial<ValidationPoolOptions> = {}) {
    this.opts = { ...defaultPoolOptions, ...opts };
    for (let i = 0; i < this.opts.threads; i++) this.threads.push(this.spawn());
  }

  /** An item's files checked as contract's validateItem checks them (an over-long check is a problem of its own). */
  async checkItem(texts: ItemTexts, opts: { tagVersion?: string } = {}): Promise<ItemValidation> {
    try {
      const answer = await this.run({ build: () => ({ task: { kind: 'checkItem', texts, ...opts }, budgetMs: this.opts.compileBudgetMs }) });
      if (answer.kind === 'checked') return answer.result;
      throw new Error(answer.kind === 'failed' ? answer.message : `unexpected answer ${answer.kind}`);
    } catch (err) {
      if (!(err instanceof OverBudget)) throw err;
      return { ok: false, problems: [{ file: 'schema.json', path: '', message: `checking the item ${err.message}; simplify its input schema` }] };
    }
  }

  /** The inputs with the schema's defaults filled in; 422 listing the problems otherwise. */
  async validateInputs(version: Pick<VersionRecord, 'id' | 'version' | 'digest' | 'schema'>, inputs: Record<string, unknown>): Promise<ValidatedInputs> {
    const label = `${version.id}@${version.version}`;
    let answer: ThreadAnswer;
    try {
      answer = await this.validateOn(version, inputs, false);
      // The thread dropped the validator the pool thought it had: once more, with the schema.
      if (answer.kind === 'missing') answer = await this.validateOn(version, inputs, true);
    } catch (err) {
      if (!(err instanceof OverBudget)) throw err;
      throw new ValidationError(`checking the inputs against the input schema of ${label} ${err.message}`, [
        { file: 'inputs', path: '', message: `too costly to check: ${err.message}; send smaller inputs` },
      ]);
    }
    switch (answer.kind) {
      case 'valid':
        return { inputs: answer.inputs, secretPointers: answer.secretPointers };
      case 'invalid':
        throw new ValidationError(`the inputs do not match the input schema of ${label}`, answer.problems, answer.total);
      case 'unusable':
        throw new ValidationError(`the stored input schema of ${label} cannot be used`, answer.problems);
      case 'failed':
        throw new ValidationError(`the input schema of ${label} could not be evaluated`, [{ file: 'schema.json', path: '', message: answer.message }]);
      default:
        throw new Error(`unexpected answer ${answer.kind} from a validation thread`);
    }
  }

  /** Stops every thread; waiting tasks fail. */
  /** The JSON pointers of the secret (writeOnly) values in `inputs`, which need not match the schema (a preset's). */
  async findSecretPointers(schema: unknown, inputs: Record<string, unknown>): Promise<string[]> {
    try {
      const answer = await this.run({ build: () => ({ task: { kind: 'findSecrets', schema, inputs }, budgetMs: this.opts.validateBudgetMs }) });
      if (answer.kind === 'secrets') return answer.pointers;
      throw new Error(answer.kind === 'failed' ? answer.message : `unexpected answer ${answer.kind}`);
    } catch (err) {
      if (!(err instanceof OverBudget)) throw err;
      throw new ValidationError(`finding the secret inputs ${err.message}`, [{ file: 'inputs', path: '', message: `too costly to check: ${err.message}; send smaller inputs` }]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const waiting of this.queue.splice(0)) waiting.reject(new UnavailableError('input validation is shutting down'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private validateOn(version: Pick<VersionRecord, 'digest' | 'schema'>, inputs: Record<string, unknown>, withSchema: boolean): Promise<ThreadAnswer> {
    const { digest } = version;
    return this.run({
      prefers: (thread) => thread.known.has(digest),
      build: (thread) => {
        const known = thread.known.has(digest) && !withSchema;
        const task: Task = known ? { kind: 'validate', digest, inputs } : { kind: 'validate', digest, inputs, schema: version.schema };
        return { task, budgetMs: this.opts.validateBudgetMs + (known ? 0 : this.opts.compileBudgetMs) };
      },
      resolve: (answer, thread) => {
        // Mirror the thread's cache: what it validated with, it keeps, most recently used last.
        thread.known.delete(digest);
        if (answer.kind !== 'valid' && answer.kind !== 'invalid') return;
        thread.known.add(digest);
        if (thread.known.size > this.opts.cacheSize) thread.known.delete(thread.known.values().next().value!);
      },
    });
  }

  private run(request: Omit<Waiting, 'resolve' | 'reject'> & { resolve?: Waiting['resolve'] }): Promise<ThreadAnswer> {
    if (this.closed) return Promise.reject(new UnavailableError('input validation is shutting down'));
    if (this.queue.length >= this.opts.queueLimit) {
      return Promise.reject(new UnavailableError('input validation is busy; try again shortly'));
    }
    return new Promise<ThreadAnswer>((resolve, reject) => {
      this.queue.push({
        ...request,
        resolve: (answer, thread) => {
          request.resolve?.(answer, thread);
          resolve(answer);
        },
        reject,
      });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (;;) {
      const idle = this.threads.filter((t) => t.ready && !t.running);
      const waiting = this.queue[0];
      if (!idle.length || !waiting) return;
      this.queue.shift();
      const thread = idle.find((t) => waiting.prefers?.(t)) ?? idle[0]!;
      const { task, budgetMs } = waiting.build(thread);
      const id = this.nextId++;
      const timer = setTimeout(() => this.stop(thread, new OverBudget(`took longer than ${budgetMs} ms and was stopped`)), budgetMs);
      thread.running = { id, waiting, timer };
      // A thread at work keeps the process alive; an idle one does not (see spawn).
      thread.worker.ref();
      try {
        thread.worker.postMessage({ ...task, id } as ThreadTask);
      } catch (err) {
        // Inputs that cannot be copied to the thread (guardInputs keeps them plain and shallow).
        clearTimeout(timer);
        thread.running = undefined;
        thread.worker.unref();
        waiting.reject(err as Error);
      }
    }
  }

  /** Ends the thread's task with `err`, and the thread with it; a fresh one takes its place. */
  private stop(thread: Thread, err: Error): void {
    const running = thread.running;
    if (running) {
      clearTimeout(running.timer);
      thread.running = undefined;
      running.waiting.reject(err);
    }
    const index = this.threads.indexOf(thread);
    if (index < 0) return;
    void thread.worker.terminate();
    if (this.closed) this.threads.splice(index, 1);
    else this.threads[index] = this.spawn();
  }

  private spawn(): Thread {
    const data: ThreadData = { cacheSize: this.opts.cacheSize };
    const worker = new Worker(new URL('./threadEntry.mjs', import.meta.url), {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.opts.memoryMb },
    });
    const thread: Thread = { worker, ready: false, known: new Set() };
    worker.on('message', (message: ThreadAnswer | { ready: true }) => {
      if ('ready' in message) {
        thread.ready = true;
        // Idle threads must not keep the process alive; starting ones do, tasks may be waiting for them.
        worker.unref();
      } else if (thread.running && thread.running.id === message.id) {
        const { waiting, timer } = thread.running;
        clearTimeout(timer);
        thread.running = undefined;
        thread.worker.unref();
        waiting.resolve(message, thread);
      }
      this.dispatch();
    });
    worker.on('error', (err) => (thread.lastError = err));
    worker.on('exit', () => {
      if (!this.threads.includes(thread)) return;
      const err = thread.lastError as (Error & { code?: string }) | undefined;
      if (err?.code === 'ERR_WORKER_OUT_OF_MEMORY') this.stop(thread, new OverBudget(`needed more than ${this.opts.memoryMb} MB and was stopped`));
      else if (!thread.ready) this.failStart(thread, err);
      else this.stop(thread, new Error(`a validation thread ended: ${err?.message ?? 'no reason given'}`));
    });
    return thread;
  }

  /** A thread that cannot even start will not start next time either: fail what waits, try again on the next task. */
  private failStart(thread: Thread, err: Error | undefined): void {
    const reason = new Error(`a validation thread could not start: ${err?.message ?? 'it exited'}`);
    for (const waiting of this.queue.splice(0)) waiting.reject(reason);
    const index = this.threads.indexOf(thread);
    this.threads.splice(index, 1);
    setTimeout(() => this.closed || this.threads.push(this.spawn()), 1000).unref();
  }
}

let shared: ValidationPool | undefined;

/** The process's pool (its threads start with the first caller's options, or the defaults). */
export function sharedValidationPool(opts: Partial<ValidationPoolOptions> = {}): ValidationPool {
  shared ??= new ValidationPool(opts);
  return shared;
}

