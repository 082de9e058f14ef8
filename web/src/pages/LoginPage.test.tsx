// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { currentLocation, mockFetch, renderPage, userOf } from '../test/render';
import LoginPage from './LoginPage';

const config = { local: true, oidc: { enabled: false, label: '' }, setupPending: false };
const notSignedIn = () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'sign in first' } } });

function renderLogin(route = '/login') {
  return renderPage(<LoginPage />, { route, path: '/login', me: null });
}

async function signIn(password = 'correct horse battery') {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Username'), 'alice');
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('LoginPage', () => {
  test('signs in and goes where the user was headed', async () => {
    const calls = mockFetch({
      'GET /api/auth/config': () => ({ body: config }),
      'GET /api/me': notSignedIn,
      'POST /api/auth/login': () => ({ body: userOf('runner') }),
    });
    renderLogin(`/login?next=${encodeURIComponent('/jobs?state=FAILED')}`);
    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in to Shelf' })).toBeTruthy();
    await signIn();
    await waitFor(() => expect(currentLocation()).toBe('/jobs?state=FAILED'));
    expect(JSON.parse(String(calls.find((c) => c.init?.method === 'POST')!.init!.body))).toEqual({ username: 'alice', password: 'correct horse battery' });
  });

  test('a next outside the app goes to the catalog instead', async () => {
    mockFetch({
      'GET /api/auth/config': () => ({ body: config }),
      'GET /api/me': notSignedIn,
      'POST /api/auth/login': () => ({ body: userOf('runner') }),
    });
    renderLogin(`/login?next=${encodeURIComponent('//evil.example/')}`);
    await signIn();
    await waitFor(() => expect(currentLocation()).toBe('/'));
  });

  test('says so when the username or password is wrong, and lets the user try again', async () => {
    mockFetch({
      'GET /api/auth/config': () => ({ body: config }),
      'GET /api/me': notSignedIn,
      'POST /api/auth/login': () => ({ status: 401, body: { error: { code: 'UNAUTHENTICATED', message: 'wrong username or password' } } }),
    });
    renderLogin();
    await signIn('not it');
    expect((await screen.findByRole('alert')).textContent).toBe('Wrong username or password.');
    expect(currentLocation()).toBe('/login');
    expect(screen.getByLabelText<HTMLInputElement>('Password').value).toBe('');
    expect(document.activeElement).toBe(screen.getByLabelText('Password'));
  });

  test('after too many failures, says how long to wait', async () => {
    mockFetch({
      'GET /api/auth/config': () => ({ body: config }),
      'GET /api/me': notSignedIn,
      'POST /api/auth/login': () => ({
        status: 429,
        headers: { 'retry-after': '300' },
        body: { error: { code: 'RATE_LIMITED', message: 'too many failed logins' } },
      }),
    });
    renderLogin();
    await signIn();
    expect((await screen.findByRole('alert')).textContent).toBe('Too many failed sign-ins. Try again in 5 minutes.');
  });

  test('offers single sign-on, shows what the provider said went wrong, and points to the set-up link', async () => {
    mockFetch({
      'GET /api/auth/config': () => ({ body: { local: true, oidc: { enabled: true, label: 'Acme SSO' }, setupPending: true } }),
      'GET /api/me': notSignedIn,
    });
    renderLogin(`/login?next=%2Fjobs&error=${encodeURIComponent('the provider refused: access_denied')}`);
    const sso = await screen.findByRole('link', { name: 'Sign in with Acme SSO' });
    expect(sso.getAttribute('href')).toBe('/api/auth/oidc/login?returnTo=%2Fjobs');
    expect(screen.getByRole('alert').textContent).toBe('Single sign-on failed: the provider refused: access_denied');
    expect(screen.getByText(/Shelf has no administrator yet/).textContent).toContain('set-up link');
    expect(screen.getByLabelText('Username')).toBeTruthy();
  });

  test('someone already signed in goes straight on', async () => {
    mockFetch({ 'GET /api/auth/config': () => ({ body: config }), 'GET /api/me': () => ({ body: userOf('viewer') }) });
    renderLogin('/login?next=%2Fjobs');
    await waitFor(() => expect(currentLocation()).toBe('/jobs'));
  });
});
