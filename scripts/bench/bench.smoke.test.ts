// The benchmark's smoke run (`npm run bench -- --smoke`): every scenario at tiny sizes against
// a real Shelf (API and worker processes), real Redis and real Docker. It checks that each
// scenario produces its figures — not what they are — and that every live-log client got
// every line exactly once, in order.
import { describe, expect, it } from 'vitest';
import { LineChecker } from './lineChecker.js';
import type { BenchReport } from './report.js';
import { runBench, scenarios } from './runBench.js';
import { smokeSizes } from './sizes.js';

const text = (seq: number) => `line ${seq}`;

function feed(checker: LineChecker, seqs: number[], line = text): LineChecker {
  for (const seq of seqs) checker.accept(seq, line(seq), 0);
  return checker;
}

describe('LineChecker', () => {
  it('accepts every line once, in order', () => {
    const checker = feed(new LineChecker(3, text), [1, 2, 3]);
    expect(checker.complete).toBe(true);
    expect(checker.verdict()).toBeUndefined();
  });

  it('refuses a missing line, a repeated line, lines out of order, a changed line and a short log', () => {
    expect(feed(new LineChecker(3, text), [1, 3]).verdict()).toMatch(/lines 2\.\.2 missing/);
    expect(feed(new LineChecker(3, text), [1, 2, 2, 3]).verdict()).toMatch(/line 2 again/);
    expect(feed(new LineChecker(3, text), [1, 3, 2]).complete).toBe(false);
    expect(feed(new LineChecker(2, text), [1, 2], (seq) => (seq === 2 ? 'garbled' : text(seq))).verdict()).toMatch(/line 2 reads "garbled"/);
    expect(feed(new LineChecker(3, text), [1, 2]).verdict()).toBe('2 of 3 lines');
    expect(feed(new LineChecker(2, text), [1, 2, 3]).verdict()).toMatch(/beyond the 2/);
  });
});

describe('npm run bench -- --smoke', () => {
  it('measures every scenario, and every log client gets every line exactly once, in order', async () => {
    const report: BenchReport = await runBench({ sizes: smokeSizes, log: () => undefined });

    expect(report.errors).toEqual([]);
    expect(Object.keys(report.details).sort()).toEqual(Object.keys(scenarios).sort());
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.machine.dockerVersion).not.toBe('unreachable');
    for (const row of report.rows) {
      const missingByDesign = row.note === '—' || row.note === 'n/a (git sync not wired)';
      if (row.note !== 'n/a (git sync not wired)') expect(row.shelf, row.scenario).toEqual(expect.any(Number));
      if (!missingByDesign) {
        expect(row.baseline, row.scenario).toBeGreaterThan(0);
        expect(Number.isFinite(row.ratio), row.scenario).toBe(true);
      }
    }
    for (const prefix of ['1 latency submit→SUCCEEDED p50', '2 throughput', '3 queue only', '4 GET /api/catalog', '4 GET /api/jobs', '5 live logs', '6 import', '7 validation']) {
      expect(report.rows.some((r) => r.scenario.startsWith(prefix)), prefix).toBe(true);
    }

    const logs = report.details.logs as { everyClientGotEveryLineOnceInOrder: boolean; clientsComplete: number; problems: string[]; lines: number };
    expect(logs.problems).toEqual([]);
    expect(logs.lines).toBe(smokeSizes.liveLogs.lines);
    expect(logs.clientsComplete).toBe(smokeSizes.liveLogs.clients);
    expect(logs.everyClientGotEveryLineOnceInOrder).toBe(true);
  }, 240_000);
});
