import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('never writes credentials: bearer tokens, session cookies, Set-Cookie, the GitLab token', () => {
    let written = '';
    const logger = createLogger('info', { write: (line: string) => void (written += line) });
    logger.info(
      {
        req: { url: '/api/me', headers: { authorization: 'Bearer shelf_secret', cookie: 'shelf_session=s3cret', 'x-gitlab-token': 'gl-token' } },
        res: { headers: { 'set-cookie': 'shelf_session=s3cret; HttpOnly' } },
      },
      'request completed',
    );
    expect(written).toContain('/api/me');
    expect(written).not.toMatch(/shelf_secret|s3cret|gl-token/);
  });
});
