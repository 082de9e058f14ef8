import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousAxeViolations, signIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// The run form as users judge it (issue 17, forms), in a real browser against a real Shelf: the
// example item provision-database keeps what the user typed when a conditional rule undoes a click,
// messages name the field in words and only once the user changed it or submitted, the summary's
// links take the user to the field, and a slider says when it cannot show a value.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const docsShots = path.join(root, 'docs', 'screenshots');
const user = { username: 'fran', password: 'fran fills in forms', role: 'runner' };

let shelf: RunningShelf;
let browser: Browser;
let page: Page;

const field = (p: Page, label: RegExp) => p.getByLabel(label).first();

/** The item page of provision-database, fresh (no inputs kept from an earlier test). */
async function openForm(p: Page): Promise<void> {
  await p.goto(`${shelf.url}/catalog/provision-database`);
  await field(p, /^Database name/).waitFor({ timeout: 30_000 });
}

/** A production database with everything required filled in, and backups kept 14 days from 03:00. */
async function fillProduction(p: Page): Promise<void> {
  await field(p, /^Database name/).fill('orders');
  await field(p, /^Owning team/).fill('payments');
  await field(p, /^Owner contact/).fill('lead@example.com');
  await field(p, /^Owner password/).fill('correct horse battery');
  await p.getByLabel('Production').check();
  await field(p, /^Backup retention/).fill('14');
  await field(p, /^Backup window/).fill('03:00-04:00');
}

beforeAll(async () => {
  mkdirSync(docsShots, { recursive: true });
  shelf = await startShelf();
  const res = await fetch(`${shelf.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify(user) });
  expect(res.status).toBe(201);
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${shelf.url}/catalog/provision-database`);
  await signIn(page, user.username, user.password, /\/catalog\/provision-database/);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

describe('the run form of provision-database', () => {
  it('keeps the backup retention and window when production undoes a click on backups, and submits', async () => {
    await openForm(page);
    await fillProduction(page);
    const backups = field(page, /^Automated backups/);
    await backups.click();
    // Production requires backups: the box stays ticked, and nothing the user typed is lost.
    await expect.poll(() => backups.isChecked()).toBe(true);
    expect(await field(page, /^Backup retention/).inputValue()).toBe('14');
    expect(await field(page, /^Backup window/).inputValue()).toBe('03:00-04:00');
    await backups.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(docsShots, 'form-after.png') });

    const submitted = page.waitForResponse((r) => r.url().endsWith('/api/jobs') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const answer = await submitted;
    expect(answer.status(), await answer.text()).toBe(202);
    expect(answer.request().postDataJSON().inputs).toMatchObject({ environment: 'prod', backups: true, retentionDays: 14, backupWindow: '03:00-04:00' });
    await page.waitForURL(/\/jobs\//, { timeout: 15_000 });
  });

  it("shows messages in words with the field's title, only after a change or a submit, and the summary links focus the field", async () => {
    await openForm(page);
    await field(page, /^Backup window/).fill('2am');
    await expect.poll(() => page.locator('#root_backupWindow__error').innerText(), { timeout: 10_000 }).toBe("Backup window (UTC) doesn't match the expected format");
    // The required fields the user has not changed say nothing yet.
    expect(await page.locator('#root_name__error').count()).toBe(0);
    expect(await page.locator('main').innerText()).not.toMatch(/must match pattern|must be equal to one of/);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const summary = page.getByTestId('error-summary');
    await summary.waitFor({ timeout: 10_000 });
    const links = summary.getByRole('link');
    expect(await links.allInnerTexts()).toEqual([
      'Database name is required',
      'Owning team is required',
      'Owner contact is required',
      'Owner password is required',
      "Backup window (UTC) doesn't match the expected format",
    ]);
    await links.nth(4).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('root_backupWindow');
    await links.nth(1).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('root_team');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('says when the storage slider cannot show a value past its end, and refuses the value instead of changing it', async () => {
    await openForm(page);
    await page.getByRole('tab', { name: 'JSON' }).click();
    const editor = page.locator('.cm-content');
    await expect.poll(() => editor.innerText(), { timeout: 15_000 }).toContain('storageGb');
    const inputs = JSON.parse(await editor.innerText()) as Record<string, unknown>;
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(JSON.stringify({ ...inputs, storageGb: 5000 }));
    await page.getByRole('tab', { name: 'Form' }).click();
    const note = page.getByTestId('range-capped');
    await expect.poll(() => note.innerText(), { timeout: 10_000 }).toMatch(/The value is 5000, more than the maximum, 2000: the slider is capped at 2000/);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByTestId('error-summary').innerText(), { timeout: 10_000 }).toMatch(/Storage \(GiB\) must be at most 2000/);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
