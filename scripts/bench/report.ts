import type { MachineInfo } from './machine.js';

/** One line of the table: a figure of Shelf, the same figure of the bare tool, and Shelf/bare. */
export interface Row {
  scenario: string;
  unit: string;
  shelf: number | null;
  baseline: number | null;
  /** shelf / baseline; null when either side is missing. */
  ratio: number | null;
  /** Which direction is good, so a reader knows whether 1.3× is a cost or a gain. */
  better: 'lower' | 'higher';
  /** What the baseline is, or why a figure is missing. */
  note?: string;
}

export function row(scenario: string, unit: string, better: Row['better'], shelf: number | null, baseline: number | null, note?: string): Row {
  const ratio = shelf !== null && baseline !== null && baseline > 0 && Number.isFinite(shelf) ? shelf / baseline : null;
  return { scenario, unit, better, shelf, baseline, ratio, ...(note ? { note } : {}) };
}

export interface ScenarioResult {
  rows: Row[];
  /** What the rows are measured against, in a sentence. */
  baseline: string;
  /** Raw figures for the JSON file. */
  details: Record<string, unknown>;
}

export interface BenchReport {
  date: string;
  mode: 'full' | 'smoke';
  machine: MachineInfo;
  durationSeconds: number;
  rows: Row[];
  /** Scenario name → what its baseline is. */
  baselines: Record<string, string>;
  details: Record<string, unknown>;
  /** Scenarios that could not run, with the reason. */
  errors: Array<{ scenario: string; error: string }>;
}

function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return `${text} ${unit}`;
}

function formatRatio(ratio: number): string {
  return `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
}

/** The table `npm run bench` prints: scenario | Shelf | baseline | ratio, in scenario order. */
export function formatTable(rows: Row[]): string {
  const number = (r: Row) => Number.parseInt(r.scenario, 10) || 99;
  const ordered = rows.map((r, i) => ({ r, i })).sort((a, b) => number(a.r) - number(b.r) || a.i - b.i).map(({ r }) => r);
  const body = ordered.map((r) => [
    r.scenario,
    formatValue(r.shelf, r.unit),
    r.baseline === null && r.note ? r.note : formatValue(r.baseline, r.unit),
    r.ratio === null ? '—' : `${formatRatio(r.ratio)} (${r.better} is better)`,
  ]);
  const header = ['scenario', 'Shelf', 'baseline', 'ratio Shelf/baseline'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}
