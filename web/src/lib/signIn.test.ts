import { describe, expect, test } from 'vitest';
import { loginPath, safeNext } from './signIn';

describe('sign-in paths', () => {
  test.each([
    ['/jobs?state=FAILED', '/jobs?state=FAILED'],
    ['/catalog/hello-world', '/catalog/hello-world'],
    [null, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/', '/'],
    ['/\\evil.example', '/'],
    ['/login?next=/x', '/'],
    ['/setup', '/'],
  ])('next=%s goes to %s after signing in', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  test('the login URL remembers where the user was, except the start page and the public pages', () => {
    expect(loginPath('/jobs?state=FAILED')).toBe('/login?next=%2Fjobs%3Fstate%3DFAILED');
    expect(loginPath('/')).toBe('/login');
    expect(loginPath('/login?next=%2Fjobs')).toBe('/login');
  });
});
