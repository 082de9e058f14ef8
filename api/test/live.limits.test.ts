import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiClient } from './helpers/apiClient.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

// One client must not hold the API's memory with idle connections: caps in total and per
// user, refused at the upgrade with the reason, through the real gateway.

let api: ShelfApi;
const open: WebSocket[] = [];

beforeAll(async () => {
  api = await startShelfApi({ socket: { maxConnections: 5, maxConnectionsPerUser: 3 } });
});
afterAll(async () => {
  for (const ws of open) ws.terminate();
  await api?.close();
});

/** Opens /ws/jobs: the socket once open, or the HTTP status and body of the refusal. */
function connect(headers: Record<string, string>): Promise<{ ws?: WebSocket; status?: number; body?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(api.wsUrl, { headers });
    ws.once('open', () => {
      open.push(ws);
      resolve({ ws });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    ws.once('error', (err) => reject(err));
  });
}

const closed = (ws: WebSocket) => new Promise<void>((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));

describe('WebSocket connection caps', () => {
  it('refuses a user past their cap (429) and everyone past the total (503), saying why', async () => {
    const mine = await Promise.all([connect(asAdmin), connect(asAdmin), connect(asAdmin)]);
    expect(mine.every((c) => c.ws)).toBe(true);
    const fourth = await connect(asAdmin);
    expect(fourth.status).toBe(429);
    expect(fourth.body).toBe('admin-token has 3 live connections open, the most one user may (SHELF_WS_MAX_CONNECTIONS_PER_USER); close one first\n');

    // Closing one frees its place.
    mine[0]!.ws!.close();
    await closed(mine[0]!.ws!);
    await expect.poll(async () => (await connect(asAdmin)).ws !== undefined).toBe(true);

    // Others are not held back by one user's cap, only by the total.
    const vera = await apiClient(api.url).userWithToken('vera', 'viewer');
    expect((await connect(vera)).ws).toBeDefined();
    expect((await connect(vera)).ws).toBeDefined();
    const full = await connect(vera);
    expect(full.status).toBe(503);
    expect(full.body).toMatch(/^Shelf holds its most live connections \(5, SHELF_WS_MAX_CONNECTIONS\)/);

    const audit = (await (await fetch(`${api.url}/api/audit?action=ws.connect&outcome=denied`, { headers: asAdmin })).json()) as { items: { actor: string }[] };
    expect(audit.items.map((e) => e.actor)).toEqual(expect.arrayContaining(['admin-token', 'vera']));
  });
});
