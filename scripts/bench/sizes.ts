/** How big each scenario is. `full` is the benchmark; `smoke` checks every path in seconds. */
export interface BenchSizes {
  mode: 'full' | 'smoke';
  latency: { warmup: number; jobs: number };
  throughput: { jobs: number; concurrency: number[] };
  queue: { jobs: number; concurrency: number[] };
  api: { catalogItems: number; jobs: number; requests: number; connections: number };
  liveLogs: { lines: number; clients: number };
  imports: { uploadBytes: number; uploads: number; webhooks: number; syncTags: number };
  /** Attack sizes: characters of a hostile string, objects in an array (~12 bytes each), values of an enum, levels of nested `not`. */
  validation: { chars: number; items: number; enumValues: number; depth: number };
}

export const fullSizes: BenchSizes = {
  mode: 'full',
  latency: { warmup: 3, jobs: 30 },
  throughput: { jobs: 200, concurrency: [1, 2, 4] },
  queue: { jobs: 200, concurrency: [1, 2, 4] },
  api: { catalogItems: 1000, jobs: 100_000, requests: 500, connections: 10 },
  liveLogs: { lines: 200_000, clients: 50 },
  imports: { uploadBytes: 10 * 1024 * 1024, uploads: 3, webhooks: 3, syncTags: 300 },
  // The largest string the API takes (64 KiB) and ~1 MB request bodies (the body limit).
  validation: { chars: 65_000, items: 80_000, enumValues: 20_000, depth: 8000 },
};

export const smokeSizes: BenchSizes = {
  mode: 'smoke',
  latency: { warmup: 1, jobs: 3 },
  throughput: { jobs: 5, concurrency: [1] },
  queue: { jobs: 5, concurrency: [1] },
  api: { catalogItems: 20, jobs: 200, requests: 20, connections: 2 },
  liveLogs: { lines: 1000, clients: 3 },
  imports: { uploadBytes: 64 * 1024, uploads: 1, webhooks: 1, syncTags: 5 },
  validation: { chars: 20, items: 2000, enumValues: 2000, depth: 100 },
};
