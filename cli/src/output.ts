import pc from 'picocolors';
import type { Problem } from '@shelf/contract';

export type Colors = ReturnType<typeof pc.createColors>;

/** One column of a table: its heading and how to get a row's cell. */
export interface Column<T> {
  title: string;
  cell: (row: T) => string;
}

/**
 * How a command talks: human output (colour, aligned tables) when stdout is a terminal, plain
 * text for pipes, JSON with `--json`. Results go to stdout; progress and notes go to stderr so a
 * pipe only carries results.
 */
export class Output {
  readonly tty: boolean;
  readonly color: Colors;

  constructor(
    readonly json: boolean,
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.tty = Boolean(stdout.isTTY) && !json;
    this.color = pc.createColors(this.tty && pc.isColorSupported);
  }

  /** A result line on stdout. */
  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** A value as JSON on stdout (`--json`, job outputs). */
  data(value: unknown): void {
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** A note for the person at the terminal, on stderr. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  table<T>(rows: T[], columns: Column<T>[]): void {
    const cells = rows.map((row) => columns.map((c) => oneLine(c.cell(row))));
    if (!this.tty) {
      // Tab-separated, no heading: what `cut` and `awk` want.
      for (const row of cells) this.line(row.join('\t'));
      return;
    }
    const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => visibleLength(r[i]!))));
    // The last column (a description, say) is cut to the terminal's width rather than wrapped.
    const room = (this.stdout.columns || Infinity) - widths.slice(0, -1).reduce((sum, w) => sum + w + 2, 0);
    const fit = (cell: string) => (cell.length > room && room > 10 ? `${cell.slice(0, room - 1)}…` : cell);
    const render = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? fit(cell) : cell + ' '.repeat(widths[i]! - visibleLength(cell)))).join('  ').trimEnd();
    this.line(this.color.bold(render(columns.map((c) => c.title))));
    for (const row of cells) this.line(render(row));
  }

  /** Problems as the web form and the import page show them: file, JSON path, message. */
  problems(problems: Problem[], stream: NodeJS.WriteStream = this.stderr): void {
    for (const p of problems) {
      const where = [p.file, p.path].filter(Boolean).join(' ');
      stream.write(`  ${this.color.red('✗')} ${where ? `${this.color.bold(where)}: ` : ''}${p.message}\n`);
    }
  }
}

function visibleLength(text: string): number {
  // eslint-disable-next-line no-control-regex -- the escape sequences picocolors writes
  return text.replace(/\x1b\[[0-9;]*m/g, '').length;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** `2024-05-01T10:00:00.000Z` → `2024-05-01 10:00`. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').slice(0, 16) : '';
}
