import { createOidcLogin } from '../../src/auth/oidcLogin.js';
import type { OidcSettings } from '../../src/auth/authSettings.js';
import { startShelfApi, type ShelfApi, type ShelfApiOptions } from './shelfApi.js';

export const webhookSecret = 'openapi-test-webhook-secret-0123456789';

/**
 * A Shelf API with every optional area wired (jobs, Git, notifications, single sign-on), so that
 * every operation of the OpenAPI document is served. The sign-on provider is a loopback port
 * nobody listens on: its endpoints answer their documented redirects to the login page.
 */
export async function startFullApi(opts: Partial<ShelfApiOptions> = {}): Promise<ShelfApi> {
  const oidc: OidcSettings = { issuer: 'http://127.0.0.1:9', clientId: 'shelf', clientSecret: 'not-a-secret', label: 'Nobody', scopes: 'openid', groupsClaim: 'groups', roleMap: [] };
  return startShelfApi({
    git: { webhookSecret, gitAllow: ['file:///'] },
    notify: {},
    auth: { oidc },
    createOidc: (deps) => createOidcLogin(oidc, deps),
    ...opts,
  });
}
