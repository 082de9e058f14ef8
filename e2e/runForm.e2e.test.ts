import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousAxeViolations, signIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// The ways teams run items (issue 14), in a real browser against a real Shelf (API and worker
// processes, Redis, Docker): the JSON tab and the form edit the same inputs, Validate shows the
// server's 422 per field, a preset fills the form, "run again with changes" shows what changed
// and links the jobs, and the inputs on the form become a schedule listed on the Schedules page.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');
const user = { username: 'rosa', password: 'rosa runs things twice', role: 'runner' };

let shelf: RunningShelf;
let browser: Browser;
let page: Page;
const cspViolations: string[] = [];

/** Replaces the whole text of the JSON tab's editor, as a person pasting an object would. */
async function typeJson(p: Page, json: string): Promise<void> {
  const editor = p.locator('.cm-content');
  await editor.click();
  await p.keyboard.press('Control+A');
  await p.keyboard.press('Delete');
  await p.keyboard.insertText(json);
}

const editorText = (p: Page) => p.locator('.cm-content').innerText();
const snap = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  shelf = await startShelf();
  const res = await fetch(`${shelf.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify(user) });
  expect(res.status).toBe(201);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
  });
  page.on('pageerror', (err) => cspViolations.push(err.message));
  await page.goto(`${shelf.url}/catalog/hello-world`);
  await signIn(page, user.username, user.password, /\/catalog\/hello-world/);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

describe('running items the ways teams do', () => {
  it('keeps the JSON tab and the form in sync, and Validate shows the server 422 on the field', async () => {
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await name.fill('Grace');
    await page.getByRole('tab', { name: 'JSON' }).click();
    await expect.poll(() => editorText(page), { timeout: 15_000 }).toContain('"Grace"');
    // The editor is styled under the strict CSP (its sheet is adopted, not an inline <style>).
    expect(await page.locator('.cm-editor').evaluate((el) => (globalThis as any).getComputedStyle(el).display)).toBe('flex');

    await typeJson(page, '{ "name": "Hopper", "times": 12, "delay": 0 }');
    const answer = page.waitForResponse((r) => r.url().endsWith('/api/jobs/validate'));
    await page.getByRole('button', { name: 'Validate' }).click();
    expect((await answer).status()).toBe(422);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 15_000 }).toMatch(/must be at most 10/);
    await snap('40-json-tab-validate-422');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await typeJson(page, '{ "name": "Hopper", "times": 2, "delay": 0 }');
    await page.getByRole('tab', { name: 'Form' }).click();
    await expect.poll(() => name.inputValue()).toBe('Hopper');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Valid: the server would run them as shown below.').waitFor({ timeout: 15_000 });
    expect(cspViolations).toEqual([]);
  }, 60_000);

  it('saves the form as a preset and fills a fresh form from it', async () => {
    await page.getByRole('button', { name: 'Save as preset…' }).click();
    await page.getByLabel('Preset name').fill('two quick hoppers');
    await page.getByRole('button', { name: 'Save preset' }).click();
    await page.getByText(/Saved the preset/).waitFor({ timeout: 15_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.reload();
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await expect.poll(() => name.inputValue(), { timeout: 15_000 }).toBe('world');
    await page.getByLabel('Fill from preset').selectOption({ label: 'two quick hoppers' });
    await page.getByRole('button', { name: 'Fill the form' }).click();
    await expect.poll(() => name.inputValue()).toBe('Hopper');
  }, 60_000);

  it('runs a job again with one field changed, showing the change first and linking the two jobs', async () => {
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/jobs\/[0-9a-f]{32}$/, { timeout: 15_000 });
    const original = page.url().split('/').pop()!;
    await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 60_000 }).toBe('SUCCEEDED');

    await page.getByRole('link', { name: 'Run again with changes' }).click();
    await page.getByTestId('rerun-banner').waitFor({ timeout: 15_000 });
    const name = page.getByRole('textbox', { name: 'Name', exact: true });
    await expect.poll(() => name.inputValue(), { timeout: 15_000 }).toBe('Hopper');
    await name.fill('Lovelace');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const review = page.locator('main');
    await expect.poll(() => review.innerText(), { timeout: 15_000 }).toMatch(/Hopper[\s\S]*Lovelace/);
    await snap('41-rerun-review');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL((url) => /\/jobs\/[0-9a-f]{32}$/.test(url.pathname) && !url.pathname.endsWith(original), { timeout: 15_000 });
    await page.getByRole('link', { name: `job ${original}` }).click();
    await page.waitForURL(new RegExp(`/jobs/${original}$`), { timeout: 15_000 });
  }, 90_000);

  it('schedules the form inputs and lists the schedule with its next run', async () => {
    await page.goto(`${shelf.url}/catalog/hello-world`);
    await page.getByRole('button', { name: 'Schedule these inputs…' }).click();
    await page.getByLabel('Name (optional)').fill('weekday greetings');
    await page.getByLabel('Cron').fill('0 9 * * 1-5');
    await page.getByRole('button', { name: 'Create schedule' }).click();
    await page.getByTestId('schedule-created').waitFor({ timeout: 15_000 });
    await page.goto(`${shelf.url}/schedules`);
    const row = page.getByTestId('schedule-row').filter({ hasText: 'weekday greetings' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('next-run').innerText()).not.toBe('');
    await snap('42-schedules');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await row.getByRole('button', { name: /^Pause/ }).click();
    await expect.poll(() => row.innerText(), { timeout: 15_000 }).toMatch(/paused/i);
    expect(cspViolations).toEqual([]);
  }, 60_000);
});
