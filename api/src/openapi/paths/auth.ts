import { oidcCallbackPath, oidcLoginPath } from '../../auth/oidcLogin.js';
import { AuditQuery } from '../../routes/audit.js';
import { LoginBody, SetupBody } from '../../routes/auth.js';
import { Preferences } from '../../routes/me.js';
import { NewToken } from '../../routes/tokens.js';
import { NewUserFields, UserChange } from '../../routes/users.js';
import { operations, redirectNote } from '../operation.js';
import { z } from '../zod.js';
import { AuditPage, AuthConfig, CreatedToken, CreatedUser, Me, TokenInfo, UserInfo } from '../schemas/auth.js';
import { itemsOf } from '../schemas/common.js';

const sessionCookie = {
  'Set-Cookie': { description: 'The HttpOnly session cookie `shelf_session`.', schema: { type: 'string' } },
};
const toLoginPage = { Location: { description: 'Where the browser goes next: the provider, the page it came from, or `/login?error=…` with the reason.', schema: { type: 'string' } } };

export const authOperations = operations([
  {
    method: 'get',
    path: '/api/auth/config',
    access: 'public',
    tag: 'Auth',
    summary: 'What the login page offers',
    responses: { 200: { description: 'Local accounts, single sign-on, pending first-start set-up.', body: AuthConfig } },
  },
  {
    method: 'post',
    path: '/api/auth/login',
    access: 'public',
    tag: 'Auth',
    summary: 'Sign in with a local account',
    body: LoginBody.meta({ id: 'Login' }),
    responses: { 200: { description: 'Signed in: the session cookie is set.', body: Me, headers: sessionCookie } },
    errors: { 401: 'unknown user or wrong password (one message for both)', 429: 'too many failures for this user or address' },
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    access: 'public',
    tag: 'Auth',
    summary: 'Sign out',
    description: 'The session is dead server-side at once.',
    responses: { 204: { description: 'Signed out (also when nobody was signed in).' } },
  },
  {
    method: 'post',
    path: '/api/auth/setup',
    access: 'public',
    tag: 'Auth',
    summary: 'First start: create the first admin',
    description: 'With the one-time set-up token the server printed at its first start; signs the new admin in.',
    body: SetupBody.meta({ id: 'Setup' }),
    responses: { 201: { description: 'Created and signed in.', body: Me, headers: sessionCookie } },
    errors: { 403: 'the set-up token is wrong, or set-up is done', 409: 'the username exists', 422: 'the password is shorter than 12 characters', 429: 'too many wrong set-up tokens' },
  },
  {
    method: 'get',
    path: oidcLoginPath,
    access: 'public',
    tag: 'Auth',
    summary: 'Single sign-on: start',
    description: 'Served when SHELF_OIDC_ISSUER, SHELF_OIDC_CLIENT_ID and SHELF_OIDC_CLIENT_SECRET are set. A browser navigation, not an API call.',
    query: z.object({ returnTo: z.string().optional().openapi({ description: 'A path of this Shelf to come back to.' }) }),
    responses: { 302: { description: "To the provider's sign-in page, or to `/login?error=…` when it cannot be reached.", body: redirectNote, headers: toLoginPage } },
  },
  {
    method: 'get',
    path: oidcCallbackPath,
    access: 'public',
    tag: 'Auth',
    summary: 'Single sign-on: the provider’s answer',
    description: 'The provider sends the browser here; Shelf signs the user in (roles from SHELF_OIDC_ROLES).',
    query: z.object({ code: z.string().optional(), state: z.string().optional(), iss: z.string().optional(), error: z.string().optional() }),
    responses: { 302: { description: 'Signed in (the session cookie is set) and back to the page the sign-in began on, or to `/login?error=…`.', body: redirectNote, headers: { ...toLoginPage, ...sessionCookie } } },
  },
  {
    method: 'get',
    path: '/api/me',
    access: 'viewer',
    tag: 'Auth',
    summary: 'Who am I',
    responses: { 200: { description: 'The caller.', body: Me } },
  },
  {
    method: 'patch',
    path: '/api/me',
    access: 'viewer',
    tag: 'Auth',
    summary: 'Change my preferences',
    body: Preferences.meta({ id: 'Preferences' }),
    responses: { 200: { description: 'The caller now.', body: Me } },
    errors: { 400: 'SHELF_ADMIN_TOKEN has no preferences' },
  },
  {
    method: 'get',
    path: '/api/users',
    access: 'admin',
    tag: 'Users',
    summary: 'List accounts',
    responses: { 200: { description: 'The accounts.', body: itemsOf(UserInfo).openapi('UserList') } },
  },
  {
    method: 'post',
    path: '/api/users',
    access: 'admin',
    tag: 'Users',
    summary: 'Create a local account',
    body: NewUserFields.strict().meta({ id: 'NewUser' }),
    responses: { 201: { description: 'Created.', body: CreatedUser } },
    errors: { 409: 'the username exists', 422: 'the password is shorter than 12 characters' },
  },
  {
    method: 'patch',
    path: '/api/users/:id',
    access: 'admin',
    tag: 'Users',
    summary: 'Change an account',
    description: 'Role, disabled (signs the user out everywhere) or password.',
    body: UserChange.meta({ id: 'UserChange' }),
    responses: { 200: { description: 'The account now.', body: UserInfo } },
    errors: { 404: 'no such account', 409: 'the change would leave no enabled admin, or the account is an OIDC one', 422: 'the password is shorter than 12 characters' },
  },
  {
    method: 'get',
    path: '/api/tokens',
    access: 'viewer',
    tag: 'Tokens',
    summary: 'My API tokens',
    responses: { 200: { description: "The caller's tokens, never a secret.", body: itemsOf(TokenInfo).openapi('TokenList') } },
  },
  {
    method: 'post',
    path: '/api/tokens',
    access: 'viewer',
    tag: 'Tokens',
    summary: 'Create an API token',
    description: "The secret is shown once and stored hashed; a token's role is at most its creator's.",
    body: NewToken.meta({ id: 'NewToken' }),
    responses: { 201: { description: 'Created: the only answer with the secret.', body: CreatedToken } },
    errors: { 400: 'SHELF_ADMIN_TOKEN cannot own tokens', 403: "the role asked for is above the caller's" },
  },
  {
    method: 'delete',
    path: '/api/tokens/:id',
    access: 'viewer',
    tag: 'Tokens',
    summary: 'Revoke an API token',
    description: "The caller's own (an admin: anyone's); refused at once afterwards.",
    responses: { 204: { description: 'Revoked.' } },
    errors: { 403: "someone else's token", 404: 'no such token' },
  },
  {
    method: 'get',
    path: '/api/audit',
    access: 'admin',
    tag: 'Audit',
    summary: 'Read the audit log',
    description: 'Newest first: every state-changing request and every refused login or permission check.',
    query: AuditQuery,
    responses: { 200: { description: 'One page.', body: AuditPage } },
  },
]);
