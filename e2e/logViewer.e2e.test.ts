import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshotsDir, seriousAxeViolations, signIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// The job page's log viewer (issue 17, point 3) in a real browser against a real Shelf: an item
// that prints `::group::` sections runs in Docker, and its log is searched, timed, linked to by
// line, downloaded and folded.

const user = { username: 'lena', password: 'lena reads every log line', role: 'admin' };

const script = `#!/usr/bin/env bash
echo "preparing the workspace"
echo "::group::Install dependencies"
for i in 1 2 3; do echo "installed package-$i"; done
echo "::endgroup::"
printf '\\033[32mneedle in green\\033[0m\\n'
echo "::group::Run tests"
echo "test one: Needle ok"
echo "test two: ok"
echo "::endgroup::"
echo "all done, NEEDLE found"
`;
/** What the script prints, line by line: the stored log and the downloaded file. */
const printed = [
  'preparing the workspace',
  '::group::Install dependencies',
  'installed package-1',
  'installed package-2',
  'installed package-3',
  '::endgroup::',
  '\u001b[32mneedle in green\u001b[0m',
  '::group::Run tests',
  'test one: Needle ok',
  'test two: ok',
  '::endgroup::',
  'all done, NEEDLE found',
];

let itemsDir: string;
let shelf: RunningShelf;
let browser: Browser;
let page: Page;
let jobId: string;
const pageErrors: string[] = [];

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${shelf.url}${url}`, { method, headers: { 'content-type': 'application/json', ...asAdmin }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

const row = (seq: number) => page.locator(`[data-testid="log-viewer"] [data-seq="${seq}"]`);
const toggle = (title: string) => page.getByRole('button', { name: new RegExp(`^${title}`) });
const searchCount = () => page.getByTestId('log-search-count').innerText();
const snap = (name: string) => page.screenshot({ path: path.join(screenshotsDir, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(screenshotsDir, { recursive: true });
  itemsDir = mkdtempSync(path.join(os.tmpdir(), 'shelf-log-items-'));
  const item = path.join(itemsDir, 'log-groups');
  mkdirSync(item);
  writeFileSync(path.join(item, 'manifest.yaml'), 'id: log-groups\nname: Log groups\nversion: 1.0.0\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["bash", "main.sh"]\n');
  writeFileSync(path.join(item, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  writeFileSync(path.join(item, 'main.sh'), script, { mode: 0o755 });

  shelf = await startShelf({ SHELF_LOCAL_ROOTS: `${itemsDir},catalog-examples` });
  expect((await api('POST', '/api/catalog/local/import', { path: item })).status).toBe(201);
  expect((await api('POST', '/api/users', user)).status).toBe(201);
  const submitted = await api('POST', '/api/jobs', { itemId: 'log-groups', inputs: {} });
  expect(submitted.status).toBe(202);
  jobId = submitted.body.id;
  for (let i = 0; i < 300 && (await api('GET', `/api/jobs/${jobId}`)).body.state !== 'SUCCEEDED'; i++) await new Promise((r) => setTimeout(r, 200));
  expect((await api('GET', `/api/jobs/${jobId}`)).body.state).toBe('SUCCEEDED');

  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) pageErrors.push(m.text());
  });
  page.on('pageerror', (err) => pageErrors.push(err.message));
  await page.goto(`${shelf.url}/jobs`);
  await signIn(page, user.username, user.password, /\/jobs/);
}, 150_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
  if (itemsDir) rmSync(itemsDir, { recursive: true, force: true });
}, 60_000);

describe('the job log viewer', () => {
  it('opens at #L5: the line is highlighted, its folded group opened to show it', async () => {
    await page.goto(`${shelf.url}/jobs/${jobId}#L5`);
    await row(5).waitFor({ timeout: 15_000 });
    expect(await row(5).getAttribute('data-selected')).toBe('true');
    expect(await row(5).innerText()).toContain('installed package-3');
    expect(await toggle('Install dependencies').getAttribute('aria-expanded')).toBe('true');
    // A finished job's other group stays folded, and end markers are never shown.
    expect(await toggle('Run tests').getAttribute('aria-expanded')).toBe('false');
    expect(await page.getByTestId('log-viewer').innerText()).not.toContain('::endgroup::');
    await snap('60-log-viewer-permalink');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A click on a line number is a permalink to it.
    await row(3).getByRole('link', { name: 'Line 3' }).click();
    await page.waitForURL(/#L3$/);
    await expect.poll(() => row(3).getAttribute('data-selected')).toBe('true');
    expect(await row(5).getAttribute('data-selected')).toBeNull();
  }, 60_000);

  it('folds and unfolds a group with the mouse and the keyboard', async () => {
    const group = toggle('Install dependencies');
    await group.click();
    expect(await group.getAttribute('aria-expanded')).toBe('false');
    expect(await group.innerText()).toContain('(3 lines)');
    await expect.poll(() => row(4).count()).toBe(0);
    await group.focus();
    await page.keyboard.press('Enter');
    expect(await group.getAttribute('aria-expanded')).toBe('true');
    await row(4).waitFor();
  }, 30_000);

  it('searches with Ctrl+F, counts and steps through matches, opening the group a match is in', async () => {
    await page.getByTestId('log-viewer').focus();
    await page.keyboard.press('Control+f');
    const box = page.getByRole('searchbox', { name: 'Search the log' });
    expect(await box.evaluate((el) => el === (globalThis as any).document.activeElement)).toBe(true);
    await box.fill('needle');
    await expect.poll(searchCount).toBe('1 of 3');
    expect(await row(7).locator('mark[data-current]').innerText()).toBe('needle');
    await page.keyboard.press('Enter');
    await expect.poll(searchCount).toBe('2 of 3');
    expect(await toggle('Run tests').getAttribute('aria-expanded')).toBe('true');
    expect(await row(9).locator('mark[data-current]').innerText()).toBe('Needle');
    await page.keyboard.press('Enter');
    await expect.poll(searchCount).toBe('3 of 3');
    await page.keyboard.press('Shift+Enter');
    await expect.poll(searchCount).toBe('2 of 3');
    expect(await page.locator('[data-testid="log-viewer"] mark').count()).toBe(3);
    await snap('61-log-viewer-search');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    expect(await box.inputValue()).toBe('');
    expect(await page.locator('[data-testid="log-viewer"] mark').count()).toBe(0);
  }, 30_000);

  it('shows timestamps when asked and remembers the choice', async () => {
    const times = page.locator('[data-testid="log-viewer"] [data-testid="log-time"]');
    expect(await times.count()).toBe(0);
    await page.getByRole('checkbox', { name: 'Timestamps' }).check();
    await expect.poll(() => times.first().innerText()).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
    expect(await times.first().getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.reload();
    await row(1).waitFor({ timeout: 15_000 });
    expect(await page.getByRole('checkbox', { name: 'Timestamps' }).isChecked()).toBe(true);
    await expect.poll(() => times.count()).toBeGreaterThan(0);
  }, 30_000);

  it('downloads the raw log, ANSI codes and group markers as printed', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download log' }).click()]);
    expect(download.suggestedFilename()).toBe(`shelf-job-${jobId}.log`);
    expect(readFileSync(await download.path(), 'utf8')).toBe(`${printed.join('\n')}\n`);
    expect(pageErrors).toEqual([]);
  }, 30_000);
});
