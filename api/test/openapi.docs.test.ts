// The API reference page (/api/docs): Redoc served by Shelf itself, no CDN, under a policy relaxed
// for that page alone (api/src/contentSecurityPolicy.ts), and a real Chromium rendering it with no
// CSP violation.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../e2e/browser.js';
import { asAdmin, startShelfApi, type ShelfApi } from './helpers/shelfApi.js';

let api: ShelfApi;

beforeAll(async () => {
  api = await startShelfApi({ jobs: false });
});
afterAll(async () => {
  await api?.close();
});

/** A CSP header as `{ directive: [sources] }`. */
function policy(header: string | null): Record<string, string[]> {
  return Object.fromEntries((header ?? '').split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name!, sources]));
}

describe('/api/docs', () => {
  it('is an HTML page that loads Redoc and its start-up script from Shelf, with a nonce for Redoc’s styles alone', async () => {
    const res = await fetch(`${api.url}/api/docs`, { headers: asAdmin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await res.text();
    expect(html).toContain('<script src="/api/docs/redoc.standalone.js"></script>');
    expect(html).toContain('<script src="/api/docs/init.js"></script>');
    expect(html).toContain('data-spec-url="/api/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>/);

    const csp = policy(res.headers.get('content-security-policy'));
    const nonce = /data-style-nonce="([^"]+)"/.exec(html)![1]!;
    expect(csp['style-src']).toEqual(["'self'", `'nonce-${nonce}'`, "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]);
    expect(csp['worker-src']).toEqual(["'self'", 'blob:']);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(csp['script-src-attr']).toEqual(["'none'"]);
    expect(csp['default-src']).toEqual(["'self'"]);

    // A fresh nonce per answer.
    const again = await (await fetch(`${api.url}/api/docs`, { headers: asAdmin })).text();
    expect(/data-style-nonce="([^"]+)"/.exec(again)![1]).not.toBe(nonce);
  });

  it('leaves every other answer under the strict policy', async () => {
    for (const p of ['/api/me', '/api/openapi.json', '/api/docs/redoc.standalone.js']) {
      const csp = policy((await fetch(`${api.url}${p}`, { headers: asAdmin })).headers.get('content-security-policy'));
      expect(csp['style-src'], p).toEqual(["'self'"]);
      expect(csp['worker-src'], p).toBeUndefined();
    }
  });

  it("serves Redoc's standalone bundle from node_modules, and the start-up script", async () => {
    const res = await fetch(`${api.url}/api/docs/redoc.standalone.js`, { headers: asAdmin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const bundle = await readFile(createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js'));
    expect(Buffer.from(await res.arrayBuffer()).equals(bundle)).toBe(true);

    const init = await fetch(`${api.url}/api/docs/init.js`, { headers: asAdmin });
    expect(init.status).toBe(200);
    expect(init.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await init.text()).toContain('Redoc.init(');
  });

  it('needs an identity like every other API route (SPEC §7)', async () => {
    for (const p of ['/api/docs', '/api/docs/redoc.standalone.js', '/api/docs/init.js', '/api/openapi.json']) {
      const res = await fetch(`${api.url}${p}`);
      expect(res.status, p).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    }
  });

  describe('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it('renders the reference with no CSP violation and no request leaving Shelf', async () => {
      const context = await browser.newContext({ extraHTTPHeaders: asAdmin });
      const page = await context.newPage();
      const problems: string[] = [];
      const elsewhere: string[] = [];
      page.on('console', (m) => {
        // Redoc's footer shows Redocly's logo from their CDN: the policy refuses it, which is the point.
        if (m.text().includes("image 'https://cdn.redoc.ly/")) return;
        if (m.type() === 'error' || m.type() === 'warning' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      // Requests that got an answer (one the policy blocked never leaves the browser).
      page.on('response', (r) => {
        if (!r.url().startsWith(api.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) elsewhere.push(r.url());
      });
      await page.goto(`${api.url}/api/docs`);
      await page.getByRole('heading', { name: /Shelf API/ }).first().waitFor({ timeout: 20_000 });
      await page.getByRole('heading', { name: 'Submit a job' }).first().waitFor();
      // Redoc's styles applied: its menu is laid out as a side bar, not a bare list.
      const menuWidth = (await page.locator('.menu-content').first().boundingBox())?.width ?? 0;
      expect(menuWidth).toBeGreaterThan(100);
      expect(menuWidth).toBeLessThan(600);
      // The search index runs in the blob: worker; a refused worker would leave no results.
      await page.getByPlaceholder('Search...').fill('cancel');
      await page.locator('[data-role="search:results"] li, .search-results li, [role="search"] ~ * li').first().waitFor({ timeout: 10_000 });
      expect(problems).toEqual([]);
      expect(elsewhere).toEqual([]);
      await context.close();
    }, 60_000);
  });
});
