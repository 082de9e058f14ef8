// Bare BullMQ: a Worker with a no-op processor, in its own process like Shelf's worker.
// Env: BENCH_REDIS_URL, BENCH_BULL_PREFIX, BENCH_QUEUE, BENCH_CONCURRENCY.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const env = process.env;
const connection = new Redis(env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const worker = new Worker(env.BENCH_QUEUE!, async () => undefined, {
  connection,
  prefix: env.BENCH_BULL_PREFIX!,
  concurrency: Number(env.BENCH_CONCURRENCY ?? 1),
});
await worker.waitUntilReady();
process.stdout.write('ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void worker.close().finally(() => connection.quit().finally(() => process.exit(0))));
}
