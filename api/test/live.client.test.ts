import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { LiveClient } from '../src/live/liveClient.js';

/** Just the parts of a ws socket LiveClient touches, with a settable backlog. */
function fakeSocket(bufferedAmount: number) {
  return { readyState: WebSocket.OPEN, bufferedAmount, send: vi.fn(), close: vi.fn(), terminate: vi.fn() };
}

describe('LiveClient', () => {
  it('sends while the client keeps up', () => {
    const socket = fakeSocket(0);
    const client = new LiveClient(socket as unknown as WebSocket, 1024);
    expect(client.send({ type: 'error', message: 'x' })).toBe(true);
    expect(socket.send).toHaveBeenCalledWith('{"type":"error","message":"x"}');
  });

  it('drops a client whose unsent data passes the limit, with 1013, instead of buffering more', () => {
    const socket = fakeSocket(2048);
    const client = new LiveClient(socket as unknown as WebSocket, 1024);
    expect(client.send('{"type":"job"}')).toBe(false);
    expect(socket.send).not.toHaveBeenCalled();
    expect(socket.close).toHaveBeenCalledWith(1013, expect.any(String));
    expect(client.open).toBe(false);
    socket.bufferedAmount = 0;
    expect(client.send('{"type":"job"}')).toBe(false);
  });
});
