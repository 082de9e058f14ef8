import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the e2e tests leave their screenshots (the README's come from here). */
export const screenshotsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-results', 'screenshots');

/** Debian's Chromium (no browser downloads here), headless and quiet: nothing it does leaves loopback. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.SHELF_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Signs in on the login page the app sent `page` to, and waits to be back where it was going. */
export async function signIn(page: Page, username: string, password: string, backTo: RegExp): Promise<void> {
  await page.waitForURL(/\/login/, { timeout: 15_000 });
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(backTo, { timeout: 15_000 });
}

/** A browser context of its own (its own cookies), signed in as `username`, at `pathname` of `baseUrl`. */
export async function openSignedIn(browser: Browser, baseUrl: string, username: string, password: string, pathname: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}${pathname}`);
  await signIn(page, username, password, new RegExp(`${pathname}$`));
  return page;
}

const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core (WCAG 2 A and AA) on the page as it is now: its serious and critical violations, one line each. */
export async function seriousAxeViolations(p: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not a <script> tag, so Shelf's own CSP stays on for the page under test.
  if (!(await p.evaluate(() => Boolean((globalThis as any).axe)))) await p.evaluate(readFileSync(axeSource, 'utf8'));
  return p.evaluate(async () => {
    // Runs in the page, where axe and document exist; this file is type-checked without the DOM library.
    const g = globalThis as any;
    const result = await g.axe.run(g.document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => `${v.id}: ${v.help} (${v.nodes.length})`);
  });
}
