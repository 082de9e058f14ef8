import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerMessage } from '@shelf/contract';
import { WebSocket } from 'ws';
import { bareRun } from '../bareDocker.js';
import { JobWatcher, submitJob } from '../client.js';
import type { BenchContext } from '../context.js';
import { floodCommand, floodLine, SHELL_IMAGE } from '../items.js';
import { LineChecker } from '../lineChecker.js';
import { row, type ScenarioResult } from '../report.js';
import { benchAuth } from '../shelf.js';
import { now } from '../stats.js';

/** A client whose log stopped growing this long after the job ended will get nothing more. */
const STALL_MS = 15_000;

async function openSocket(url: string): Promise<WebSocket> {
  // The checker compares bytes, so ws need not validate UTF-8 first.
  const socket = new WebSocket(url, { skipUTF8Validation: true, headers: benchAuth });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return socket;
}

/**
 * Subscribes every socket to the job; each socket's log lines go through its own checker.
 * Fifty clients decoding every line cost this process more than the server spends sending
 * them, so a message is first compared byte for byte with the one line that may come next
 * (built once for all clients); anything else is parsed and checked field by field.
 */
function follow(sockets: WebSocket[], jobId: string, lines: number): LineChecker[] {
  const expected: Buffer[] = [];
  const expectedMessage = (seq: number) =>
    (expected[seq] ??= Buffer.from(JSON.stringify({ type: 'log', jobId, seq, stream: 'stdout', line: floodLine(seq) } satisfies ServerMessage)));
  return sockets.map((socket) => {
    const checker = new LineChecker(lines, floodLine);
    socket.on('message', (data: Buffer) => {
      const at = now();
      const seq = checker.nextSeq;
      if (seq <= lines && data.equals(expectedMessage(seq))) return checker.acceptNext(at);
      const message = JSON.parse(String(data)) as ServerMessage;
      if (message.type === 'log' && message.jobId === jobId) {
        if (message.stream !== 'stdout') checker.problem(`line ${message.seq} came on ${message.stream}`);
        checker.accept(message.seq, message.line, at);
      } else if (message.type === 'error') checker.problem(`server error: ${message.message}`);
    });
    socket.send(JSON.stringify({ subscribe: jobId, after: 0 }));
    return checker;
  });
}

interface Flood {
  clients: number;
  /** Lines per second each client received, or null if any client missed or repeated a line. */
  perClient: number | null;
  problems: string[];
  clientsComplete: number;
  deliverySeconds: number;
  jobRunningToSucceededSeconds: number;
}

/** One flood of `lines` lines followed by `clients` fresh WebSocket clients, every line checked. */
async function flood(ctx: BenchContext, watcher: JobWatcher, lines: number, clients: number): Promise<Flood> {
  const deadlineMs = ctx.sizes.mode === 'smoke' ? 60_000 : 300_000;
  const sockets = await Promise.all(Array.from({ length: clients }, () => openSocket(ctx.shelf.wsUrl)));
  try {
    const id = await submitJob(ctx.shelf.url, ctx.items.flood, { lines });
    const checkers = follow(sockets, id, lines);
    const start = now();
    let lastCount = -1;
    let lastChange = now();
    for (;;) {
      if (checkers.every((c) => c.complete)) break;
      const count = checkers.reduce((n, c) => n + c.received, 0);
      if (count !== lastCount) [lastCount, lastChange] = [count, now()];
      const finished = watcher.final(id) !== undefined;
      if ((finished && now() - lastChange > STALL_MS) || now() - start > deadlineMs) break;
      await sleep(20);
    }
    const finishedAt = await watcher.wait(id, 'finished', 60_000);
    const runningAt = await watcher.wait(id, 'running', 1);
    watcher.assertSucceeded(id);

    const firstLine = Math.min(...checkers.map((c) => c.firstAt ?? Number.POSITIVE_INFINITY));
    const lastLine = Math.max(...checkers.map((c) => c.lastAt ?? Number.NEGATIVE_INFINITY));
    // A small flood may arrive within one millisecond: count at least that.
    const seconds = Math.max(1, lastLine - firstLine) / 1000;
    const problems = checkers.flatMap((c, i) => (c.verdict() ? [`client ${i + 1}: ${c.verdict()}`] : []));
    ctx.log(
      problems.length
        ? `live logs: ${problems.length} of ${clients} clients incomplete: ${problems.slice(0, 3).join(' | ')}`
        : `live logs: ${lines} lines to each of ${clients} clients at ${(lines / seconds).toFixed(0)} lines/s per client, all exactly once and in order`,
    );
    return {
      clients,
      perClient: problems.length ? null : lines / seconds,
      problems,
      clientsComplete: checkers.filter((c) => c.complete).length,
      deliverySeconds: seconds,
      jobRunningToSucceededSeconds: (finishedAt - runningAt) / 1000,
    };
  } finally {
    for (const s of sockets) s.terminate();
  }
}

/**
 * 5. Live logs: one job prints `lines` lines as fast as it can while `clients` WebSocket
 * clients follow it (then once more with a single client). Lines per second each client
 * receives (first line anywhere → last line at the slowest client), with a per-client check
 * that every line arrived once, in order — against the bare rate: the same command's output
 * read straight from `docker attach`.
 */
export async function liveLogsScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { lines, clients } = ctx.sizes.liveLogs;
  await ctx.shelf.startWorker('docker', 1);
  const watcher = await JobWatcher.open(ctx.shelf.wsUrl);
  try {
    // A short flood first, not measured: the worker's bundle cache, the API's subscriptions and JIT warm up.
    const warm = await submitJob(ctx.shelf.url, ctx.items.flood, { lines: 100 });
    await watcher.wait(warm, 'finished', 60_000);
    watcher.assertSucceeded(warm);

    await ctx.shelf.api.resetPeakRss();
    const many = await flood(ctx, watcher, lines, clients);
    const apiPeakRssBytes = await ctx.shelf.api.peakRss();
    const one = await flood(ctx, watcher, lines, 1);

    const bare = await bareRun(ctx.docker, SHELL_IMAGE, floodCommand(lines), ctx.tag);
    if (bare.lines !== lines) throw new Error(`the bare flood printed ${bare.lines} lines, not ${lines}`);
    const bareRate = lines / (Math.max(1, bare.lastByteAt! - bare.firstByteAt!) / 1000);
    const lost = (f: Flood) => (f.problems.length ? 'lines lost or repeated' : undefined);
    const problems = [...many.problems, ...one.problems.map((p) => `single client: ${p}`)];
    return {
      baseline: 'the same `seq` flood read straight from `docker attach` by one reader (no Redis, no WebSocket)',
      rows: [
        row(`5 live logs ${lines} lines → each of ${clients} clients`, 'lines/s', 'higher', many.perClient, bareRate, lost(many)),
        row(`5 live logs, all ${clients} clients together`, 'lines/s', 'higher', many.perClient === null ? null : many.perClient * clients, null, '—'),
        row(`5 live logs ${lines} lines → 1 client`, 'lines/s', 'higher', one.perClient, bareRate, lost(one)),
      ],
      details: {
        lines,
        clients,
        everyClientGotEveryLineOnceInOrder: problems.length === 0,
        clientsComplete: many.clientsComplete,
        problems,
        linesPerSecondPerClient: many.perClient,
        linesPerSecondAllClients: many.perClient === null ? null : many.perClient * clients,
        flood: many,
        singleClient: one,
        bareLinesPerSecond: bareRate,
        apiPeakRssBytesDuringFlood: apiPeakRssBytes,
      },
    };
  } finally {
    watcher.close();
  }
}
