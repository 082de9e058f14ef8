import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousAxeViolations } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// A real Chromium (Debian's, headless) driving a real Shelf: API and worker processes,
// Redis, Docker. Screenshots of every page land in test-results/screenshots.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');

let shelf: RunningShelf;
let browser: Browser;
let page: Page;
const adminPassword = 'the first admin of this Shelf';

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  console.info(`screenshots: ${shots}`);
  shelf = await startShelf();
  browser = await launchChromium();
  page = await newPage();
}, 120_000);

/** A browser context of its own (its own cookies), like another person's browser. */
async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** Signs `p` in through the login page, from wherever it was sent. */
async function signIn(p: Page, username: string, password: string): Promise<void> {
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password', { exact: true }).fill(password);
  await p.getByRole('button', { name: 'Sign in', exact: true }).click();
}

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

async function snap(name: string, p: Page = page): Promise<void> {
  await p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** axe-core on the current page: no serious or critical violations. */
async function expectAccessible(): Promise<void> {
  await expectAccessibleOn(page);
}

async function expectAccessibleOn(p: Page): Promise<void> {
  expect(await seriousAxeViolations(p)).toEqual([]);
}

/** The API as automation uses it: with SHELF_ADMIN_TOKEN. */
async function api(pathname: string, body?: unknown): Promise<any> {
  const init = body === undefined ? { headers: asAdmin } : { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify(body) };
  return (await fetch(`${shelf.url}${pathname}`, init)).json();
}

describe('the web UI in a real browser', () => {
  it('creates the first admin through the one-time link the server printed, and is signed in', async () => {
    await expect.poll(() => /\/setup\?token=\S+/.exec(shelf.output())?.[0], { timeout: 15_000 }).toBeTruthy();
    const link = `${shelf.url}${/\/setup\?token=\S+/.exec(shelf.output())![0]}`;
    await page.goto(shelf.url);
    await page.waitForURL(/\/login$/, { timeout: 15_000 });
    await page.getByText(/set-up link/i).first().waitFor({ timeout: 15_000 });
    await snap('00-login-first-start');
    await expectAccessible();

    await page.goto(link);
    await page.getByLabel('Username').fill('ada');
    await page.getByLabel('Password', { exact: true }).fill(adminPassword);
    await page.getByLabel('Password again').fill(adminPassword);
    await snap('00-setup');
    await expectAccessible();
    await page.getByRole('button', { name: 'Create the admin account' }).click();
    await page.waitForURL(`${shelf.url}/`, { timeout: 15_000 });
    await page.getByTestId('user-menu-button').waitFor();
    expect(await page.getByTestId('user-menu-button').innerText()).toContain('ada');
    // The link works once.
    const again = await fetch(`${shelf.url}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: shelf.url },
      body: JSON.stringify({ token: new URL(link).searchParams.get('token'), username: 'eve', password: 'another password here' }),
    });
    expect(again.status).toBe(403);
  }, 60_000);

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

  it("validates the form in the browser under Shelf's own CSP, with no eval and no violation", async () => {
    // A context of its own, with the violations recorded from its first page on.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await context.newPage();
    const violations: string[] = [];
    await p.addInitScript(() => {
      const g = globalThis as any;
      g.__cspViolations = [];
      g.document.addEventListener('securitypolicyviolation', (e: any) => g.__cspViolations.push(`${e.violatedDirective}: ${e.blockedURI}`));
    });
    p.on('console', (m) => {
      // The last: the form met a schema the API did not precompile a check for.
      if (/Content Security Policy|unsafe-eval|Refused to|no precompiled check/i.test(m.text())) violations.push(m.text());
    });
    p.on('pageerror', (err) => violations.push(err.message));

    const first = await p.goto(`${shelf.url}/catalog/provision-database`);
    const csp = first!.headers()['content-security-policy'] ?? '';
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).toMatch(/style-src 'self'(;|$)/);
    await p.waitForURL(/\/login/, { timeout: 15_000 });
    const validatorModule = p.waitForResponse((r) => /\/api\/catalog\/provision-database\/[^/]+\/validator\.js$/.test(r.url()), { timeout: 30_000 });
    await signIn(p, 'ada', adminPassword);
    await p.waitForURL(/\/catalog\/provision-database/, { timeout: 15_000 });
    const module = await validatorModule;
    expect(module.status()).toBe(200);
    expect(module.headers()['content-type']).toMatch(/^text\/javascript/);

    // Errors appear as the user types, before any submit: only a working validator can say so.
    const name = p.getByLabel(/^Database name/);
    await name.waitFor({ timeout: 15_000 });
    await name.fill('Bad-Name');
    const nameErrors = p.locator('#root_name__error');
    await expect.poll(() => nameErrors.innerText(), { timeout: 10_000 }).toMatch(/Database name doesn't match the expected format/);
    const email = p.getByLabel(/^Owner contact/);
    await email.fill('not-an-email');
    await expect.poll(() => p.locator('#root_ownerEmail__error').innerText(), { timeout: 10_000 }).toMatch(/Owner contact must be an email address/);
    // A branch that depends on another answer still follows it (RJSF asks the validator which branch applies).
    await p.getByLabel('MySQL').check();
    await p.getByLabel(/^Character set/).first().waitFor({ timeout: 10_000 });
    await name.fill('orders');
    await expect.poll(() => nameErrors.count(), { timeout: 10_000 }).toBe(0);
    expect(await p.getByText(/checks could not be loaded/).count()).toBe(0);
    await snap('02b-item-form-strict-csp', p);
    expect(await p.evaluate(() => (globalThis as any).__cspViolations)).toEqual([]);

    // The other pages too, styles included: the catalog, the jobs dashboard and a job's live log.
    await p.goto(`${shelf.url}/`);
    await p.getByRole('heading', { name: 'Hello World' }).first().waitFor({ timeout: 15_000 });
    expect(await p.evaluate(() => (globalThis as any).__cspViolations)).toEqual([]);
    const job = await api('/api/jobs', { itemId: 'hello-world', inputs: { name: 'CSP', times: 2, delay: 0 } });
    await p.goto(`${shelf.url}/jobs`);
    await p.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`).waitFor({ timeout: 30_000 });
    expect(await p.evaluate(() => (globalThis as any).__cspViolations)).toEqual([]);
    await p.goto(`${shelf.url}/jobs/${job.id}`);
    await p.getByText(/CSP/).first().waitFor({ timeout: 30_000 });
    expect(await p.evaluate(() => (globalThis as any).__cspViolations)).toEqual([]);
    expect(violations).toEqual([]);
    await context.close();
  }, 90_000);

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
    rmSync(dir, { recursive: true, force: true });
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

  it('signs a runner in: only their own jobs, no Import, an API token shown once that works, sign out', async () => {
    expect((await fetch(`${shelf.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify({ username: 'rita', password: 'rita runs the jobs', role: 'runner' }) })).status).toBe(201);
    const rita = await newPage();
    await rita.goto(`${shelf.url}/jobs`);
    await rita.waitForURL(/\/login\?next=%2Fjobs/, { timeout: 15_000 });
    await signIn(rita, 'rita', 'wrong password!!');
    await rita.getByText(/wrong username or password/i).waitFor({ timeout: 15_000 });
    await signIn(rita, 'rita', 'rita runs the jobs');
    await rita.waitForURL(`${shelf.url}/jobs`, { timeout: 15_000 });
    // The admin's jobs from the tests above are not hers to see.
    await rita.getByText(/no jobs/i).first().waitFor({ timeout: 15_000 });
    expect(await rita.getByTestId('job-row').count()).toBe(0);
    expect(await rita.getByRole('link', { name: 'Import', exact: true }).count()).toBe(0);

    await rita.goto(`${shelf.url}/settings`);
    await rita.getByLabel('Name', { exact: true }).fill('laptop');
    await rita.getByRole('button', { name: 'Create token' }).click();
    const secret = await rita.getByTestId('new-token-secret').inputValue({ timeout: 15_000 });
    expect(secret).toMatch(/^shelf_[A-Za-z0-9]{40}$/);
    await snap('09-settings-new-token', rita);
    const me = await (await fetch(`${shelf.url}/api/me`, { headers: { authorization: `Bearer ${secret}` } })).json();
    expect(me).toMatchObject({ username: 'rita', role: 'runner', via: 'token' });
    await rita.getByRole('button', { name: 'I have copied it' }).click();
    // The mutation's reset reaches React on a later tick, not within the click.
    await expect.poll(() => rita.getByTestId('new-token-secret').count()).toBe(0);
    expect(await rita.locator('main').innerText()).not.toContain(secret);
    await expectAccessibleOn(rita);

    await rita.getByTestId('user-menu-button').click();
    await rita.getByRole('button', { name: /sign out/i }).click();
    await rita.waitForURL(/\/login/, { timeout: 15_000 });
    await rita.goto(`${shelf.url}/settings`);
    await rita.waitForURL(/\/login\?next=%2Fsettings/, { timeout: 15_000 });
    await rita.context().close();
  }, 90_000);

  it('shows the admin the users and the audit log of who did what', async () => {
    await page.goto(`${shelf.url}/admin/users`);
    await page.getByRole('cell', { name: 'rita' }).first().waitFor({ timeout: 15_000 });
    await snap('10-users');
    await expectAccessible();
    await page.goto(`${shelf.url}/admin/audit?actor=rita`);
    await expect.poll(() => page.locator('main').innerText(), { timeout: 15_000 }).toContain('auth.login_failed');
    const text = await page.locator('main').innerText();
    expect(text).toContain('token.create');
    expect(text).toContain('auth.logout');
    await snap('11-audit');
    await expectAccessible();
  }, 60_000);
});
