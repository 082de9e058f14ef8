import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import type { ServerMessage } from '@shelf/contract';

/** Below this many unsent bytes a replay goes on sending. */
const replayLowWater = 256 * 1024;

/** One connected browser tab: its socket, its liveness and the backpressure rule. */
export class LiveClient {
  /** Cleared before each heartbeat ping, set again by the pong. */
  alive = true;
  private dropped = false;

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  get open(): boolean {
    return !this.dropped && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one message (or an already serialised one). A client that lets more than
   * `maxBufferedBytes` pile up unsent is disconnected with 1013 rather than buffered forever.
   */
  send(message: ServerMessage | string): boolean {
    if (!this.open) return false;
    if (this.socket.bufferedAmount > this.maxBufferedBytes) {
      this.drop();
      return false;
    }
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  }

  /**
   * Resolves once most of what was sent has left the process, so replays go at the client's
   * pace; a client that reads nothing for `patienceMs` is dropped like one that piles up data.
   */
  async drained(patienceMs = 30_000): Promise<void> {
    const deadline = Date.now() + patienceMs;
    while (this.open && this.socket.bufferedAmount > replayLowWater) {
      if (Date.now() > deadline) return this.drop();
      await sleep(10);
    }
  }

  private drop(): void {
    this.dropped = true;
    this.socket.close(1013, 'client too slow; reconnect with after=<last seq>');
    // The close frame queues behind the unsent data; do not hold a stuck client's memory for long.
    setTimeout(() => this.socket.terminate(), 5000).unref();
  }
}
