import { expect } from 'vitest';
import { asAdmin } from './shelfApi.js';

/** An API answer with its JSON body (null when empty; the raw text when not JSON). */
export interface Answer {
  status: number;
  body: any;
}

/** Calls a running Shelf API the way a script would: JSON in and out, with the given headers. */
export function apiClient(baseUrl: string) {
  async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = asAdmin): Promise<Answer> {
    const res = await fetch(`${baseUrl}${p}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }

  /**
   * A local account with `role`, signed in once through the login page's endpoint to create an
   * API token of theirs; answers the headers that carry it.
   */
  async function userWithToken(username: string, role: string, password = 'a long enough password'): Promise<Record<string, string>> {
    expect((await call('POST', '/api/users', { username, password, role })).status).toBe(201);
    const login = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const token = await call('POST', '/api/tokens', { name: 'test' }, { cookie, origin: baseUrl });
    return { authorization: `Bearer ${token.body.token}` };
  }

  return { call, userWithToken };
}
