import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShelf, type RunningShelf } from './shelfProcess.js';

// A real Chromium (Debian's, headless) driving a real Shelf: API and worker processes,
// Redis, Docker. Screenshots of every page land in test-results/screenshots.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const chromiumPath = process.env.SHELF_CHROMIUM ?? '/usr/bin/chromium';

let shelf: RunningShelf;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  console.info(`screenshots: ${shots}`);
  shelf = await startShelf();
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // bypassCSP only so axe-core can be injected for the accessibility checks.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

async function snap(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** axe-core on the current page: no serious or critical violations. */
async function expectAccessible(): Promise<void> {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    // Runs in the page, where axe and document exist; this file is type-checked without the DOM library.
    const g = globalThis as any;
    const result = await g.axe.run(g.document, { runOnly: ['wcag2a', 'wcag2aa'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .map((v: any) => `${v.id}: ${v.help} (${v.nodes.length})`);
  });
  expect(violations).toEqual([]);
}

async function api(pathname: string, body?: unknown): Promise<any> {
  const res = await fetch(`${shelf.url}${pathname}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

describe('the web UI in a real browser', () => {
  it('browses the catalog, fills a generated form and watches the job succeed live', async () => {
    await page.goto(shelf.url);
    await expect.poll(() => page.getByRole('heading', { name: 'Hello World' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await snap('01-catalog');
    await expectAccessible();

    await page.getByRole('link', { name: /Hello World/ }).first().click();
    await page.waitForURL(/\/catalog\/hello-world/);
    const name = page.getByLabel(/^Name/);
    await name.waitFor({ timeout: 15_000 });
    await name.fill('Grace');
    await snap('02-item-form');
    await expectAccessible();
    await page.getByRole('button', { name: 'Run' }).click();

    await page.waitForURL(/\/jobs\/[0-9a-f]+$/, { timeout: 15_000 });
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await expect.poll(() => page.getByTestId('log-viewer').innerText(), { timeout: 15_000 }).toContain('Hello, Grace!');
    await expect.poll(() => page.getByText('Hello, Grace!').count()).toBeGreaterThan(0);
    await snap('03-job-succeeded');
    await expectAccessible();
  }, 120_000);

  it('retries a failed job and cancels a running one from the jobs dashboard', async () => {
    const failing = await api('/api/jobs', { itemId: 'csv-stats', inputs: { csv: 'a,b\n1,"unterminated\n', delimiter: ',', hasHeader: true } });
    const running = await api('/api/jobs', { itemId: 'hello-world', inputs: { name: 'Slow', times: 10, delay: 10 } });
    await page.goto(`${shelf.url}/jobs`);
    const stateOf = (id: string) => page.locator(`[data-testid="job-row"][data-job-id="${id}"] [data-testid="job-state"]`).getAttribute('data-state');
    await expect.poll(() => stateOf(failing.id), { timeout: 60_000 }).toBe('FAILED');
    await expect.poll(() => stateOf(running.id), { timeout: 60_000 }).toBe('RUNNING');
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('live');
    await snap('04-jobs-dashboard');
    await expectAccessible();

    await page.getByRole('button', { name: `Cancel job ${running.id}` }).click();
    await expect.poll(() => stateOf(running.id), { timeout: 30_000 }).toBe('CANCELLED');

    await page.getByRole('button', { name: `Retry job ${failing.id}` }).click();
    await expect
      .poll(async () => (await api(`/api/jobs?itemId=csv-stats`)).items.filter((j: any) => j.retryOf === failing.id).length, { timeout: 15_000 })
      .toBe(1);
    await snap('05-jobs-after-actions');

    await page.getByLabel(/state/i).first().selectOption('CANCELLED');
    await expect.poll(() => new URL(page.url()).searchParams.get('state')).toBe('CANCELLED');
    await expect.poll(() => page.getByTestId('job-row').count()).toBe(1);
  }, 120_000);

  it('uploads a bundle and lists every validation problem by file and field', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shelf-ui-bundle-'));
    const item = path.join(dir, 'broken');
    mkdirSync(item);
    writeFileSync(path.join(item, 'manifest.yaml'), 'id: broken-item\nname: Broken\nversion: 1.0.0\nprivileged: true\nruntime:\n  image: shelf/runtime-shell:1\n');
    writeFileSync(path.join(item, 'schema.json'), '{"type":"object","properties":{"x":{"$ref":"https://example.com/x.json"}}}');
    const tgz = path.join(dir, 'broken.tar.gz');
    execFileSync('tar', ['-czf', tgz, '-C', dir, 'broken']);

    await page.goto(`${shelf.url}/import?tab=bundle`);
    await page.locator('input[type="file"]').setInputFiles(tgz);
    await page.getByRole('button', { name: 'Upload bundle' }).click();
    // Problems are grouped by file: one list per file.
    const problems = page.getByTestId('problem-list');
    await problems.first().waitFor({ timeout: 15_000 });
    expect(await problems.count()).toBe(2);
    expect(await page.getByRole('region', { name: 'Problems in schema.json' }).count()).toBe(1);
    const text = await page.locator('main').innerText();
    expect(text).toContain('manifest.yaml');
    expect(text).toContain('privileged');
    expect(text).toContain('schema.json');
    expect(text).toMatch(/\/runtime\/command|command/);
    await snap('06-import-errors');
    await expectAccessible();
    expect((await api('/api/catalog')).items.some((i: any) => i.id === 'broken-item')).toBe(false);
  }, 60_000);

  it('shows hostile item names and log lines as inert text', async () => {
    const messages: string[] = [];
    page.on('dialog', (d) => {
      messages.push(d.message());
      void d.dismiss();
    });
    const job = await api('/api/jobs', { itemId: 'hello-world', inputs: { name: '<img src=x onerror=alert(1)>', times: 1, delay: 0 } });
    await page.goto(`${shelf.url}/jobs/${job.id}`);
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('SUCCEEDED');
    await expect.poll(() => page.getByTestId('log-viewer').innerText(), { timeout: 15_000 }).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('[data-testid="log-viewer"] img').count()).toBe(0);
    expect(messages).toEqual([]);
  }, 60_000);
});
