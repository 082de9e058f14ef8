import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { BENCH_LABEL } from './shelf.js';
import { now } from './stats.js';

export interface BareRun {
  /** create → removed, ms: what `docker run --rm --network none <image> <cmd>` costs. */
  totalMs: number;
  exitCode: number;
  /** Newline count of stdout. */
  lines: number;
  /** When the first and the last output byte arrived (performance.now()), if any did. */
  firstByteAt?: number;
  lastByteAt?: number;
}

/**
 * `docker run --rm --network none <image> <cmd>` through dockerode, as the CLI does it:
 * create, attach, start, wait, remove — one reused Docker client (one connection pool).
 */
export async function bareRun(docker: Docker, image: string, cmd: string[], tag: string): Promise<BareRun> {
  const t0 = now();
  const container = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    AttachStdout: true,
    AttachStderr: true,
    Labels: { [BENCH_LABEL]: tag },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const result: Omit<BareRun, 'totalMs' | 'exitCode'> = { lines: 0 };
    const stdout = new Writable({
      write(chunk: Buffer, _enc, done) {
        const at = now();
        result.firstByteAt ??= at;
        result.lastByteAt = at;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) result.lines++;
        done();
      },
    });
    const ignore = new Writable({ write: (_c, _e, done) => done() });
    docker.modem.demuxStream(stream, stdout, ignore);
    const ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
    });
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await ended;
    await container.remove({ force: true });
    return { ...result, totalMs: now() - t0, exitCode: StatusCode };
  } catch (err) {
    await container.remove({ force: true }).catch(() => undefined);
    throw err;
  }
}

/** Removes every bare-baseline container of this run (normally none are left). */
export async function removeBareContainers(docker: Docker, tag: string): Promise<void> {
  const left = await docker.listContainers({ all: true, filters: { label: [`${BENCH_LABEL}=${tag}`] } });
  await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}
