import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { ServerMessage } from '@shelf/contract';
import { PreparedFrame } from './preparedFrame.js';

/** Below this many unsent bytes a replay goes on sending. */
const replayLowWater = 256 * 1024;
/** Past this many unsent bytes, log lines are no longer sent live (see {@link LiveClient.backlogged}). */
const backlogBytes = 1024 * 1024;

/** The TCP socket under a WebSocket, written to directly for prepared frames. */
export interface Transport {
  write(chunk: Buffer): boolean;
}

/** One connected browser tab: its socket, its liveness and the backpressure rule. */
export class LiveClient {
  /** Cleared before each heartbeat ping, set again by the pong. */
  alive = true;
  private dropped = false;
  /** Prepared frames of this tick, written together when it ends (see {@link send}). */
  private outbox: Buffer[] = [];
  private outboxBytes = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
    /**
     * The TCP socket under `socket`. Prepared frames go straight to it: ws would write each
     * frame on its own (a header buffer and a system call per log line per client). Safe
     * because ws writes synchronously here (no permessage-deflate), so order is kept as long as
     * the outbox is flushed before anything ws sends.
     */
    private readonly transport?: Transport,
  ) {}

  get open(): boolean {
    return !this.dropped && this.socket.readyState === WebSocket.OPEN;
  }

  /** Bytes sent but not yet handed to the kernel. */
  get unsent(): number {
    return this.socket.bufferedAmount + this.outboxBytes;
  }

  /**
   * More is waiting to be sent than a client that keeps up would leave: live log lines should
   * stop here and continue from the stored log at the client's pace ({@link drained}), long
   * before the hard limit drops the client.
   */
  get backlogged(): boolean {
    return this.unsent > Math.min(backlogBytes, this.maxBufferedBytes / 2);
  }

  /**
   * Sends one message, or an already serialised one. A client that lets more than
   * `maxBufferedBytes` pile up unsent is disconnected with 1013 rather than buffered forever.
   * Prepared frames sent in one go (a batch of log lines) leave in one write when the current
   * tick ends; nothing waits longer than that.
   */
  send(message: ServerMessage | string | PreparedFrame): boolean {
    if (!this.open) return false;
    if (this.unsent > this.maxBufferedBytes) {
      this.drop();
      return false;
    }
    if (message instanceof PreparedFrame) {
      if (!this.transport) {
        this.socket.send(message.text);
        return true;
      }
      if (this.outbox.length === 0) process.nextTick(() => this.flush());
      this.outbox.push(message.bytes);
      this.outboxBytes += message.bytes.length;
      return true;
    }
    this.flush();
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  }

  /**
   * Resolves once most of what was sent has left the process, so replays go at the client's
   * pace; a client that reads nothing for `patienceMs` is dropped like one that piles up data.
   */
  async drained(patienceMs = 30_000): Promise<void> {
    const deadline = Date.now() + patienceMs;
    while (this.open && this.unsent > replayLowWater) {
      if (Date.now() > deadline) return this.drop();
      await sleep(10);
    }
  }

  private flush(): void {
    if (this.outbox.length === 0) return;
    const chunk = this.outbox.length === 1 ? this.outbox[0]! : Buffer.concat(this.outbox, this.outboxBytes);
    this.outbox = [];
    this.outboxBytes = 0;
    if (this.open) this.transport!.write(chunk);
  }

  private drop(): void {
    this.dropped = true;
    this.outbox = [];
    this.outboxBytes = 0;
    this.socket.close(1013, 'client too slow; reconnect with after=<last seq>');
    // The close frame queues behind the unsent data; do not hold a stuck client's memory for long.
    setTimeout(() => this.socket.terminate(), 5000).unref();
  }
}
