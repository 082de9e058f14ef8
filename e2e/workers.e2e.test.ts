import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openSignedIn, seriousAxeViolations, signIn } from './browser.js';
import { adminToken, asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// The Workers page (SPEC §11, issue 16) in a real browser against a real Shelf (API and worker
// processes, Redis, Docker): an admin finds the worker from the user menu, sees a second worker
// that was killed turn stale, sees the job the first one runs, drains it around that job and
// resumes it, also on a phone; a runner is told the page is for admins. Screenshots land in
// test-results/screenshots (the README's come from here).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');
const shelfVersion = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
const concurrency = 3;
const people = { ada: { password: 'ada keeps the workers up', role: 'admin' }, rita: { password: 'rita only runs things', role: 'runner' } } as const;

let shelf: RunningShelf;
let browser: Browser;
/** Ada's page, on the Workers page from the first test on. */
let ada: Page;
/** The worker startShelf started. */
let workerId: string;
/** A second worker this file starts, to kill. */
let doomed: ChildProcess | undefined;

async function api(method: string, pathname: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${shelf.url}${pathname}`, {
    method,
    headers: { ...asAdmin, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const jobState = async (id: string): Promise<string> => (await api('GET', `/api/jobs/${id}`)).json.state;

/** hello-world greeting `times` times, `delay` seconds apart: a job that runs for a while. */
async function submitSlowJob(name: string, times: number, delay: number): Promise<string> {
  const submitted = await api('POST', '/api/jobs', { itemId: 'hello-world', inputs: { name, times, delay } });
  expect(submitted.status).toBe(202);
  return submitted.json.id as string;
}

const row = (p: Page, id: string): Locator => p.locator(`[data-testid="worker-row"][data-worker-id="${id}"]`);
const stateOf = (p: Page, id: string) => row(p, id).getByTestId('worker-state').getAttribute('data-state');
const snap = (p: Page, name: string) => p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

const signedIn = (username: keyof typeof people, pathname: string): Promise<Page> => openSignedIn(browser, shelf.url, username, people[username].password, pathname);

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  shelf = await startShelf({ SHELF_WORKER_CONCURRENCY: String(concurrency) });
  for (const [username, { password, role }] of Object.entries(people)) {
    expect((await api('POST', '/api/users', { username, password, role })).status).toBe(201);
  }
  const { items } = (await api('GET', '/api/workers')).json;
  expect(items).toHaveLength(1);
  workerId = items[0].id;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  if (doomed && doomed.exitCode === null && doomed.signalCode === null) doomed.kill('SIGKILL');
  await browser?.close();
  await shelf?.stop();
}, 60_000);

describe('the Workers page', () => {
  it('is one click away in an admin’s user menu and lists the running worker as active, with its host, version and concurrency', async () => {
    ada = await signedIn('ada', '/');
    await ada.getByTestId('user-menu-button').click();
    await ada.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Workers' }).click();
    await ada.waitForURL(`${shelf.url}/admin/workers`, { timeout: 15_000 });
    await ada.getByRole('heading', { level: 1, name: 'Workers' }).waitFor({ timeout: 15_000 });

    const worker = row(ada, workerId);
    await worker.waitFor({ timeout: 15_000 });
    expect(await ada.getByTestId('worker-row').count()).toBe(1);
    expect(await stateOf(ada, workerId)).toBe('active');
    expect(await worker.getByRole('rowheader').innerText()).toBe(workerId);
    const cells = await worker.getByRole('cell').allInnerTexts();
    expect(cells).toContain(os.hostname());
    expect(cells).toContain(shelfVersion);
    expect(cells).toContain('docker');
    expect(await worker.getByTestId('worker-load').textContent()).toBe(`0/${concurrency} slots busy`);
    expect(await ada.getByTestId('workers-summary').innerText()).toBe(`1 worker: 1 active, 0 draining or drained, 0 stale. 0 of ${concurrency} slots busy.`);
    expect(await worker.getByRole('button', { name: `Drain worker ${workerId}` }).isVisible()).toBe(true);
  }, 60_000);

  it('shows a worker that was killed as stale, when it was last seen, and offers no action on it', async () => {
    const id = `e2e-doomed-${randomBytes(3).toString('hex')}`;
    // A second worker of the same Shelf, beating every 500 ms so three missed beats come soon.
    const { tmp } = shelf;
    doomed = spawn(process.execPath, ['--import', 'tsx', 'worker/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        SHELF_REDIS_PREFIX: shelf.prefix,
        SHELF_BUNDLES_DIR: path.join(tmp, 'bundles'),
        SHELF_WORKER_CACHE: path.join(tmp, 'worker-cache-doomed'),
        SHELF_DATA_DIR: path.join(tmp, 'data'),
        SHELF_API_URL: shelf.url,
        SHELF_ADMIN_TOKEN: adminToken,
        SHELF_LOG_LEVEL: 'warn',
        SHELF_WORKER_ID: id,
        SHELF_WORKER_LABELS: 'gpu,eu-west',
        SHELF_HEARTBEAT_MS: '500',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => doomed!.once('exit', () => resolve()));

    await row(ada, id).waitFor({ timeout: 30_000 });
    await expect.poll(() => stateOf(ada, id), { timeout: 15_000 }).toBe('active');
    expect(await ada.getByTestId('worker-row').count()).toBe(2);
    // Its routing labels, sorted, as its heartbeat says them.
    expect((await row(ada, id).getByRole('cell').allInnerTexts()).join(' ')).toMatch(/eu-west\s*,?\s*gpu/);

    doomed.kill('SIGKILL');
    await exited;
    await expect.poll(() => stateOf(ada, id), { timeout: 30_000 }).toBe('stale');
    expect(await row(ada, id).getByTestId('stale-seen').innerText()).toMatch(/^last seen /);
    expect(await row(ada, id).getByRole('button').count()).toBe(0);
    // The one that still beats is untouched.
    expect(await stateOf(ada, workerId)).toBe('active');
    expect(await ada.getByTestId('workers-summary').innerText()).toBe(`2 workers: 1 active, 0 draining or drained, 1 stale. 0 of ${concurrency} slots busy (live workers).`);
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await snap(ada, '51-workers-stale');
  }, 90_000);

  it('lists a running job under its worker, linked to the job page', async () => {
    const jobId = await submitSlowJob('listed', 10, 1);
    await expect.poll(() => jobState(jobId), { timeout: 60_000, interval: 250 }).toBe('RUNNING');

    // The page asks again every 5 s by itself: no reload.
    const link = row(ada, workerId).getByRole('list', { name: `Jobs running on ${workerId}` }).getByRole('link', { name: `Job ${jobId}` });
    await link.waitFor({ timeout: 15_000 });
    expect(await link.getAttribute('href')).toBe(`/jobs/${jobId}`);
    expect(await row(ada, workerId).getByTestId('worker-load').textContent()).toBe(`1/${concurrency} slots busy`);
    expect(await seriousAxeViolations(ada)).toEqual([]);
    // With the stale worker of the test before: the README's docs/screenshots/workers.png.
    await snap(ada, '52-workers-running');

    await link.click();
    await ada.waitForURL(`${shelf.url}/jobs/${jobId}`, { timeout: 15_000 });
    await expect.poll(() => ada.getByTestId('job-state').getAttribute('data-state'), { timeout: 15_000 }).toMatch(/RUNNING|SUCCEEDED/);
    await ada.goBack();
    await ada.waitForURL(`${shelf.url}/admin/workers`, { timeout: 15_000 });
    await row(ada, workerId).waitFor({ timeout: 15_000 });
    // Once the job is over, its link goes.
    await expect.poll(() => jobState(jobId), { timeout: 60_000, interval: 500 }).toBe('SUCCEEDED');
    await expect.poll(() => row(ada, workerId).getByRole('link', { name: `Job ${jobId}` }).count(), { timeout: 15_000 }).toBe(0);
  }, 120_000);

  it('drains the worker: draining while its job runs, drained after; a job submitted meanwhile waits QUEUED until Resume, then runs', async () => {
    // Long enough to outlast the drain reaching the worker and the page's next look (5 s).
    const first = await submitSlowJob('drained around', 10, 2);
    await expect.poll(() => jobState(first), { timeout: 60_000, interval: 250 }).toBe('RUNNING');

    // Asked twice, in place.
    await row(ada, workerId).getByRole('button', { name: `Drain worker ${workerId}` }).click();
    const question = row(ada, workerId).getByRole('group', { name: `Drain worker ${workerId}? It finishes its running jobs and takes no new ones.` });
    await question.getByRole('button', { name: 'Drain', exact: true }).click();
    await row(ada, workerId).getByText(`Worker ${workerId} is draining.`).waitFor({ timeout: 15_000 });

    await expect.poll(() => stateOf(ada, workerId), { timeout: 15_000 }).toBe('draining');
    // Seen draining while the job still ran: its link is still there, and the API agrees.
    expect(await jobState(first)).toBe('RUNNING');
    expect(await row(ada, workerId).getByRole('link', { name: `Job ${first}` }).count()).toBe(1);
    await snap(ada, '53-workers-draining');

    // With free slots, an active worker would take this at once; a draining one leaves it queued.
    const waiting = await submitSlowJob('waits for resume', 1, 0);
    expect(await jobState(waiting)).toBe('QUEUED');

    await expect.poll(() => stateOf(ada, workerId), { timeout: 60_000 }).toBe('drained');
    expect(await jobState(first)).toBe('SUCCEEDED');
    expect(await jobState(waiting)).toBe('QUEUED');
    expect(await row(ada, workerId).getByTestId('worker-load').textContent()).toBe(`0/${concurrency} slots busy`);
    expect(await ada.getByTestId('workers-summary').innerText()).toContain('0 active, 1 draining or drained');
    expect(await seriousAxeViolations(ada)).toEqual([]);
    await snap(ada, '54-workers-drained');

    await row(ada, workerId).getByRole('button', { name: `Resume worker ${workerId}` }).click();
    await row(ada, workerId).getByText(`Worker ${workerId} resumes.`).waitFor({ timeout: 15_000 });
    await expect.poll(() => stateOf(ada, workerId), { timeout: 15_000 }).toBe('active');
    await expect.poll(() => jobState(waiting), { timeout: 60_000, interval: 250 }).toBe('SUCCEEDED');
    expect(await row(ada, workerId).getByRole('button', { name: `Drain worker ${workerId}` }).isVisible()).toBe(true);
  }, 180_000);

  it('stays usable on a phone: no serious axe violation, no sideways scroll of the page, the table scrolls in its box, and Drain is in reach', async () => {
    await ada.setViewportSize({ width: 390, height: 844 });
    try {
      await row(ada, workerId).waitFor({ timeout: 15_000 });
      expect(await seriousAxeViolations(ada)).toEqual([]);
      const widths = await ada.evaluate(() => {
        const g = globalThis as any;
        const box = g.document.querySelector('table').parentElement;
        const header = g.document.querySelector('header');
        return { page: g.document.documentElement.scrollWidth, header: header.scrollWidth, viewport: g.innerWidth, table: box.scrollWidth, box: box.clientWidth };
      });
      // The header's own overflow at this width is the layout's, the same on every page: this page must add none.
      // Soft, so Drain's reach below is still checked when it does.
      expect.soft(widths.page, 'the Workers page scrolls sideways').toBeLessThanOrEqual(Math.max(widths.viewport, widths.header));
      expect(widths.box).toBeLessThanOrEqual(widths.viewport);
      // The wide table scrolls inside its own box.
      expect(widths.table).toBeGreaterThan(widths.box);
      await snap(ada, '55-workers-phone');

      const drain = row(ada, workerId).getByRole('button', { name: `Drain worker ${workerId}` });
      await drain.scrollIntoViewIfNeeded();
      const box = await drain.boundingBox();
      expect(box).not.toBeNull();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
      await drain.click();
      const question = row(ada, workerId).getByRole('group', { name: /^Drain worker / });
      await question.getByRole('button', { name: 'Cancel' }).click();
      expect(await question.count()).toBe(0);
      expect(await stateOf(ada, workerId)).toBe('active');
    } finally {
      await ada.setViewportSize({ width: 1280, height: 900 });
    }
  }, 60_000);

  it('tells a runner the page is for admins, without asking the server for the workers, and leaves it out of their menu', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const rita = await context.newPage();
    const workerRequests: string[] = [];
    rita.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/workers') workerRequests.push(r.url());
    });
    await rita.goto(`${shelf.url}/admin/workers`);
    await signIn(rita, 'rita', people.rita.password, /\/admin\/workers$/);
    await rita.getByRole('heading', { level: 1, name: 'Workers' }).waitFor({ timeout: 15_000 });
    await rita.getByText(/needs the admin role; you are a runner\./).waitFor({ timeout: 15_000 });
    expect(await rita.getByTestId('worker-row').count()).toBe(0);
    expect(await rita.getByRole('button', { name: /Drain|Resume/ }).count()).toBe(0);
    expect(workerRequests).toEqual([]);
    expect(await seriousAxeViolations(rita)).toEqual([]);
    await snap(rita, '56-workers-runner');
    // The server says the same to her session.
    expect(await rita.evaluate(async () => (await (globalThis as any).fetch('/api/workers')).status)).toBe(403);

    await rita.getByTestId('user-menu-button').click();
    const menu = rita.getByRole('navigation', { name: 'Account' });
    await menu.getByRole('link', { name: 'Settings and API tokens' }).waitFor({ timeout: 15_000 });
    expect(await menu.getByRole('link', { name: 'Workers' }).count()).toBe(0);
    await context.close();
  }, 60_000);
});
