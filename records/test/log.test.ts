// A job's log against real Redis: lines are stored under a byte cap and published in the same step.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorld, type RecordsWorld } from './helpers.js';

let world: RecordsWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.close();
});

const pairs = (...lines: string[]) => lines.flatMap((line) => ['stdout', line]);

describe('the job log', () => {
  it('stores lines with seq numbers from 1 and publishes each batch as stored', async () => {
    const id = await world.newJob();
    expect(await world.recorder.appendLog(id, 1000, pairs('one', 'two'))).toEqual({ stored: 2, closed: false });
    expect(await world.recorder.appendLog(id, 1000, ['stderr', 'three'])).toEqual({ stored: 1, closed: false });
    const stored = await world.records.readLog(id, 0, 100);
    expect(stored.map((l) => [l.seq, l.stream, l.line])).toEqual([
      [1, 'stdout', 'one'],
      [2, 'stdout', 'two'],
      [3, 'stderr', 'three'],
    ]);
    expect(await world.records.readLog(id, 1, 1)).toEqual([stored[1]]);
    await world.until(() => world.logBatches.length === 2, 'two batches');
    expect(world.logBatches.map((b) => b.jobId)).toEqual([id, id]);
    expect(world.logBatches.flatMap((b) => b.lines)).toEqual(stored);
  });

  it('stops at the byte cap with one system line, counting each line’s newline, and drops the rest', async () => {
    const id = await world.newJob();
    // 4 + 1 and 4 + 1 bytes fit a cap of 12; the third line would pass it.
    expect(await world.recorder.appendLog(id, 12, pairs('aaaa', 'bbbb', 'cc', 'dd'))).toEqual({ stored: 3, closed: true });
    expect(await world.recorder.appendLog(id, 12, pairs('later'))).toEqual({ stored: 0, closed: true });
    const stored = await world.records.readLog(id, 0, 100);
    expect(stored.map((l) => l.line)).toEqual(['aaaa', 'bbbb', 'log truncated: the job printed more than 12 bytes; later lines were dropped']);
    expect(stored[2]).toMatchObject({ seq: 3, stream: 'system' });
    await world.until(() => world.logBatches.length === 1, 'the batch');
    expect(world.logBatches[0]!.lines).toEqual(stored);
  });

  it('closes the log with a last line of its own (the line-count cap)', async () => {
    const id = await world.newJob();
    await world.recorder.appendLog(id, 1000, pairs('one'));
    await world.recorder.closeLog(id, 'log truncated: too many lines');
    expect(await world.recorder.appendLog(id, 1000, pairs('two'))).toEqual({ stored: 0, closed: true });
    expect((await world.records.readLog(id, 0, 100)).map((l) => [l.stream, l.line])).toEqual([
      ['stdout', 'one'],
      ['system', 'log truncated: too many lines'],
    ]);
  });
});
