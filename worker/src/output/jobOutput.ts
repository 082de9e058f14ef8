import { Writable } from 'node:stream';
import { parseProgressLine } from '@shelf/contract';
import { LineSplitter } from './lineSplitter.js';
import type { LogSink } from './logSink.js';
import type { ProgressThrottle } from './progressThrottle.js';

/**
 * Where a container's stdout and stderr go: progress lines update the job's progress,
 * everything else becomes log lines. The two writables apply backpressure while the log
 * sink is behind, which the runner passes on to the container's output stream.
 */
export class JobOutput {
  readonly stdout: Writable;
  readonly stderr: Writable;

  constructor(
    private readonly log: LogSink,
    private readonly progress: ProgressThrottle,
  ) {
    this.stdout = this.writable(
      new LineSplitter((line) => {
        const update = parseProgressLine(line);
        if (update) this.progress.update(update);
        else this.log.add('stdout', line);
      }),
    );
    this.stderr = this.writable(new LineSplitter((line) => this.log.add('stderr', line)));
  }

  /** Flushes the log and the last progress; call after both writables finished. */
  async close(): Promise<void> {
    await this.log.close();
    await this.progress.flush();
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
