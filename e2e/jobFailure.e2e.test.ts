import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousAxeViolations, signIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// A failed job explains itself (issue 17, points 1 and 2), in a real browser against a real Shelf:
// the banner at the top carries the script's own error sentence (an `error` written to
// $SHELF_OUTPUT) or, without one, the last stderr lines of the log; long outputs are collapsed,
// monospace, copyable and downloadable; the log is one "Jump to log" away; and on a phone the
// reason shows without scrolling.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');
/** Where the README's before/after screenshots go when SHELF_DOC_SHOTS names them ("before" or "after"). */
const docShot = process.env.SHELF_DOC_SHOTS;
const user = { username: 'fran', password: 'fran reads failures', role: 'admin' };

/** A failing item that says why: its error sentence, a 60-line plan and a link, then exit 1 after a long log. */
const reportingScript = `#!/usr/bin/env bash
set -euo pipefail
for i in $(seq 1 150); do echo "reading row $i"; done
plan=$(for i in $(seq 1 60); do echo "  + resource \\"aws_s3_bucket\\" \\"b$i\\" { bucket = \\"shelf-$i\\" }"; done)
jq -n --arg plan "$plan" '{error: "malformed CSV at line 4", plan: $plan, report: "https://example.com/reports/42", rows: 3}' > "$SHELF_OUTPUT"
echo "malformed CSV at line 4: expected 3 fields, got 2" >&2
exit 1
`;

/** A failing item that writes no outputs: its reason is only in the log, among stdout lines. */
const plainScript = `#!/usr/bin/env bash
echo "connecting" >&2
for i in $(seq 1 6); do echo "retry $i of 6" >&2; echo "waiting"; done
echo "fatal: cannot reach db.internal:5432" >&2
exit 2
`;

let shelf: RunningShelf;
let browser: Browser;
let itemsDir: string;

function writeItem(id: string, script: string): string {
  const dir = path.join(itemsDir, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.yaml'), `id: ${id}\nname: ${id}\nversion: 1.0.0\nruntime:\n  image: shelf/runtime-shell:1\n  command: ["bash", "main.sh"]\n`);
  writeFileSync(path.join(dir, 'schema.json'), JSON.stringify({ type: 'object', properties: {} }));
  writeFileSync(path.join(dir, 'main.sh'), script);
  return dir;
}

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${shelf.url}${route}`, {
    method,
    headers: { 'content-type': 'application/json', ...asAdmin },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

/** Runs the item and waits for it to fail. */
async function failedJob(itemId: string): Promise<string> {
  const { status, json } = await api('POST', '/api/jobs', { itemId, inputs: {} });
  expect(status).toBe(202);
  const deadline = Date.now() + 60_000;
  while ((await api('GET', `/api/jobs/${json.id}`)).json.state !== 'FAILED') {
    if (Date.now() > deadline) throw new Error(`job ${json.id} of ${itemId} did not fail within 60 s:\n${shelf.output()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
  return json.id as string;
}

async function signedInPage(context: BrowserContext, route: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${shelf.url}${route}`);
  await signIn(page, user.username, user.password, new RegExp(route));
  await expect.poll(() => page.getByTestId('job-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('FAILED');
  return page;
}

let reportingJob: string;
let plainJob: string;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  itemsDir = path.join(os.tmpdir(), `shelf-failure-e2e-${randomBytes(4).toString('hex')}`);
  const reporting = writeItem('fails-with-reason', reportingScript);
  const plain = writeItem('fails-quietly', plainScript);
  shelf = await startShelf({ SHELF_LOCAL_ROOTS: `${itemsDir},catalog-examples` });
  for (const dir of [reporting, plain]) expect((await api('POST', '/api/catalog/local/import', { path: dir })).status).toBe(201);
  expect((await api('POST', '/api/users', user)).status).toBe(201);
  [reportingJob, plainJob] = await Promise.all([failedJob('fails-with-reason'), failedJob('fails-quietly')]);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
  if (itemsDir) rmSync(itemsDir, { recursive: true, force: true });
}, 60_000);

describe('a failed job explains itself', () => {
  it('shows the script’s error sentence at the top, its outputs compact, and the log one jump away', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: shelf.url });
    const page = await signedInPage(context, `/jobs/${reportingJob}`);
    const shot = path.join(shots, '50-failed-job.png');
    await page.screenshot({ path: shot, fullPage: true });
    if (docShot) copyFileSync(shot, path.join(root, 'docs', 'screenshots', `failed-job-${docShot}.png`));

    const banner = page.getByTestId('job-failure');
    await expect.poll(() => banner.innerText(), { timeout: 15_000 }).toContain('malformed CSV at line 4 (exit code 1)');

    const outputs = page.getByRole('region', { name: 'Outputs' });
    const plan = outputs.getByRole('group', { name: 'plan' });
    const code = plan.locator('pre');
    expect(await code.evaluate((el) => (globalThis as any).getComputedStyle(el).fontFamily)).toMatch(/mono/i);
    // Collapsed: the first lines only, with a way to see all 60.
    expect((await code.innerText()).split('\n').length).toBeLessThan(20);
    const showAll = plan.getByRole('button', { name: 'Show all (60 lines)' });
    await showAll.click();
    await expect.poll(() => code.innerText()).toContain('shelf-60');
    expect(await plan.getByRole('button', { name: 'Show less' }).getAttribute('aria-expanded')).toBe('true');

    await plan.getByRole('button', { name: 'Copy plan' }).click();
    await expect.poll(() => plan.getByRole('status').innerText()).toBe('Copied.');
    expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toContain('bucket = "shelf-60"');
    const download = page.waitForEvent('download');
    await plan.getByRole('button', { name: 'Download plan' }).click();
    expect((await download).suggestedFilename()).toBe('plan.txt');

    const link = outputs.getByRole('link', { name: 'https://example.com/reports/42' });
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await outputs.getByText('malformed CSV at line 4', { exact: true }).count()).toBe(1);

    await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
    await page.getByRole('link', { name: 'Jump to log' }).click();
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('job-log');
    const top = await page.locator('#job-log').evaluate((el: any) => el.getBoundingClientRect().top as number);
    expect(top).toBeGreaterThanOrEqual(-1);
    expect(top).toBeLessThan(900);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 90_000);

  it('shows the last stderr lines when the script wrote no error', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signedInPage(context, `/jobs/${plainJob}`);
    const reason = page.getByTestId('job-failure-stderr');
    await expect.poll(() => reason.innerText(), { timeout: 15_000 }).toContain('fatal: cannot reach db.internal:5432');
    const text = await reason.innerText();
    expect(text).toContain('retry 3 of 6');
    expect(text).not.toContain('retry 2 of 6');
    expect(text).not.toContain('connecting');
    expect(text).not.toContain('waiting');
    await page.screenshot({ path: path.join(shots, '51-failed-job-stderr.png'), fullPage: false });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it('shows the reason on a phone without scrolling', async () => {
    for (const [job, words] of [
      [reportingJob, 'malformed CSV at line 4'],
      [plainJob, 'fatal: cannot reach db.internal:5432'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      const page = await signedInPage(context, `/jobs/${job}`);
      if (job === reportingJob) {
        const shot = path.join(shots, '52-failed-job-phone.png');
        await page.screenshot({ path: shot });
        if (docShot) copyFileSync(shot, path.join(root, 'docs', 'screenshots', `failed-job-phone-${docShot}.png`));
      }
      const reason = page.getByTestId('job-failure').getByText(words);
      await reason.waitFor({ timeout: 15_000 });
      const box = await reason.boundingBox();
      expect(await page.evaluate(() => (globalThis as any).scrollY)).toBe(0);
      expect(box!.y + box!.height).toBeLessThanOrEqual(844);
      // Nothing on the job page is wider than the phone. (The header's main nav still overflows
      // on a phone: a layout matter of its own, outside this page.)
      expect(await page.locator('main').evaluate((el: any) => el.scrollWidth - el.clientWidth)).toBeLessThanOrEqual(0);
      await context.close();
    }
  }, 60_000);
});
