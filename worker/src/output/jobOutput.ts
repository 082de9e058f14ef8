import { Writable } from 'node:stream';
import { parseProgressLine } from '@shelf/contract';
import { LineSplitter } from './lineSplitter.js';
import type { LogSink } from './logSink.js';
import type { ProgressThrottle } from './progressThrottle.js';
import type { SecretMasker } from './secretMasker.js';
import type { RunOutput } from '../runners/runner.js';

const TRUNCATED_MARKER = ' …[line truncated]';

/**
 * Where a run reports to: progress lines update the job's progress, everything else on stdout
 * and stderr becomes log lines, and the container's start time is recorded on the job. Every
 * line has the job's secrets masked before it is parsed or stored. The two writables apply
 * backpressure while the log sink is behind, which the runner passes on to the container's
 * output stream.
 */
export class JobOutput implements RunOutput {
  readonly stdout: Writable;
  readonly stderr: Writable;
  private startRecorded: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: LogSink,
    private readonly progress: ProgressThrottle,
    private readonly recordStart: (ms: number) => Promise<void>,
    private readonly masker: SecretMasker,
  ) {
    this.stdout = this.writable(
      new LineSplitter((text, truncated) => {
        // Masked before parsing, not after: the progress message is cut at a fixed length, and
        // that cut must not show the first half of a secret.
        const line = this.masked(text, truncated);
        const update = parseProgressLine(line);
        if (update) this.progress.update(update);
        else this.log.add('stdout', line);
      }),
    );
    this.stderr = this.writable(new LineSplitter((text, truncated) => this.log.add('stderr', this.masked(text, truncated))));
  }

  started(ms: number): void {
    this.startRecorded = this.recordStart(ms);
  }

  /** Flushes the log, the last progress and the start time; call after both writables finished. */
  async close(): Promise<void> {
    await this.log.close();
    await this.progress.flush();
    await this.startRecorded;
  }

  /** A line cut at the cap may end in the start of a secret: that is masked before the marker goes on. */
  private masked(text: string, truncated: boolean): string {
    return truncated ? this.masker.maskTruncated(text) + TRUNCATED_MARKER : this.masker.mask(text);
  }

  private writable(splitter: LineSplitter): Writable {
    return new Writable({
      highWaterMark: 64 * 1024,
      write: (chunk: Buffer, _encoding, done) => {
        splitter.progressOnly = this.log.closed;
        splitter.push(chunk);
        const wait = this.log.ready();
        if (wait) void wait.then(() => done());
        else done();
      },
      final: (done) => {
        splitter.end();
        done();
      },
    });
  }
}
