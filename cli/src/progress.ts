import cliProgress from 'cli-progress';
import { formatBytes } from '@shelf/contract';
import type { Output } from './output.js';

export interface Progress<A extends unknown[]> {
  update: (...args: A) => void;
  stop: () => void;
}

/** Bars are for people: only on a terminal (stderr), never with --json or in a pipe. */
function bar(out: Output, format: string): cliProgress.SingleBar | undefined {
  if (out.json || !process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: true, barsize: 30, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
}

/** Bytes sent of an upload. */
export function uploadProgress(out: Output): Progress<[sent: number, total: number]> {
  const b = bar(out, 'uploading {bar} {percentage}% {sentText} of {totalText}');
  let started = false;
  return {
    update: (sent, total) => {
      if (!b) return;
      const payload = { sentText: formatBytes(sent), totalText: formatBytes(total) };
      if (!started) {
        started = true;
        b.start(total, sent, payload);
      } else b.update(sent, payload);
    },
    stop: () => {
      if (started) b?.stop();
    },
  };
}

/**
 * A job's `::progress` (its summary's progress, live). Log lines are printed through `log`, which
 * clears the bar, writes the line and redraws it, so lines and bar never garble each other.
 */
export function jobProgress(out: Output): Progress<[percent: number, message: string]> & { log: (write: () => void) => void } {
  const b = bar(out, '{bar} {percentage}% {message}');
  let started = false;
  return {
    update: (percent, message) => {
      if (!b) return;
      if (!started) {
        started = true;
        b.start(100, percent, { message });
      } else b.update(percent, { message });
    },
    log: (write) => {
      if (!b || !started) return write();
      // cli-progress redraws on its own timer; clear the line, write, and let it redraw under it.
      process.stderr.write('\r\x1b[2K');
      write();
      b.render();
    },
    stop: () => {
      if (started) b?.stop();
      started = false;
    },
  };
}
