import { describe, expect, it } from 'vitest';
import { redisKeys } from '@shelf/contract';
import { groupsOf, isLoopback, OidcSignIn, safeReturnTo } from './oidcLogin.js';
import type { OidcDeps } from './oidcLogin.js';

const publicUrl = 'https://shelf.example.com';

describe('safeReturnTo', () => {
  it.each([
    ['/catalog', '/catalog'],
    ['/jobs/42?tab=log#end', '/jobs/42?tab=log#end'],
    ['/a/../b', '/b'],
  ])('keeps the same-site path %s', (value, expected) => {
    expect(safeReturnTo(value, publicUrl)).toBe(expected);
  });

  it.each([undefined, '', 'catalog', '//evil.example/x', '/\\evil.example', '/..//evil.example', 'https://evil.example/', 'javascript:alert(1)', '/a\tb', ['/x']])(
    'turns %j into /',
    (value) => {
      expect(safeReturnTo(value, publicUrl)).toBe('/');
    },
  );
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.8.9.10', 'localhost', '[::1]'])('%s is loopback', (host) => expect(isLoopback(host)).toBe(true));
  it.each(['10.0.0.1', 'idp.example.com', '127.0.0.1.nip.io', '[::2]'])('%s is not', (host) => expect(isLoopback(host)).toBe(false));
});

describe('groupsOf', () => {
  it('reads a list, a single name, or nothing', () => {
    expect(groupsOf(['a', 'b', 3])).toEqual(['a', 'b']);
    expect(groupsOf('a')).toEqual(['a']);
    expect(groupsOf(undefined)).toEqual([]);
    expect(groupsOf({ a: 1 })).toEqual([]);
  });
});

describe('OidcSignIn', () => {
  const settings = { clientId: 'shelf', clientSecret: 'secret', label: 'SSO', scopes: 'openid', groupsClaim: 'groups', roleMap: [] };
  const deps = { publicUrl, keys: redisKeys('unit') } as unknown as OidcDeps;

  it('refuses a plain-http issuer that is not on loopback: codes and tokens would cross the network readable', () => {
    expect(() => new OidcSignIn({ ...settings, issuer: 'http://idp.example.com' }, deps)).toThrow(/must be an https URL/);
  });

  it('accepts https anywhere and plain http on loopback', () => {
    expect(() => new OidcSignIn({ ...settings, issuer: 'https://idp.example.com/realms/x' }, deps)).not.toThrow();
    expect(() => new OidcSignIn({ ...settings, issuer: 'http://127.0.0.1:8080' }, deps)).not.toThrow();
  });
});
