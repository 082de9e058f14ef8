import { Worker } from 'node:worker_threads';

// Runs on its own thread: the API under test shares this process, so a probe on the main
// thread would stall with it and see nothing.
const probeThread = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
let stopped = false;
const latencies = [];
parentPort.on('message', () => { stopped = true; });
const once = () => new Promise((resolve) => {
  const t0 = performance.now();
  http.get(workerData.url + '/healthz', { agent: false }, (res) => {
    res.resume();
    res.on('end', () => resolve(performance.now() - t0));
  }).on('error', () => resolve(Infinity));
});
(async () => {
  while (!stopped) {
    latencies.push(await once());
    if (latencies.length === 1) parentPort.postMessage({ started: true });
    await new Promise((r) => setTimeout(r, 5));
  }
  parentPort.postMessage({ latencies });
})();
`;

/**
 * Polls `GET /healthz` from another thread while `during` runs, and reports the slowest answer:
 * what a load balancer's health check would have seen meanwhile.
 */
export async function healthDuring<T>(url: string, during: () => Promise<T>): Promise<{ result: T; slowestHealthMs: number; probes: number }> {
  const worker = new Worker(probeThread, { eval: true, workerData: { url } });
  const done = new Promise<number[]>((resolve, reject) => {
    worker.on('message', (m: { started?: boolean; latencies?: number[] }) => m.latencies && resolve(m.latencies));
    worker.once('error', reject);
  });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  try {
    const result = await during();
    worker.postMessage('stop');
    const latencies = await done;
    return { result, slowestHealthMs: Math.max(...latencies), probes: latencies.length };
  } finally {
    await worker.terminate();
  }
}
