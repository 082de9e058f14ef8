import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openSignedIn } from './browser.js';
import { asAdmin, startShelf, type RunningShelf } from './shelfProcess.js';

// Approvals in two real browsers against a real Shelf (API and worker processes, Redis, Docker):
// a runner asks, an admin's inbox shows the request live, the admin approves with a comment,
// and the job runs to SUCCEEDED while the runner's page follows. Screenshots land in
// test-results/screenshots (the README's come from here).

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shots = path.join(root, 'test-results', 'screenshots');

let shelf: RunningShelf;
let browser: Browser;
const people = { ada: { password: 'ada approves the changes', role: 'admin' }, rita: { password: 'rita asks for changes', role: 'runner' } } as const;

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  shelf = await startShelf();
  for (const [username, { password, role }] of Object.entries(people)) {
    const res = await fetch(`${shelf.url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json', ...asAdmin }, body: JSON.stringify({ username, password, role }) });
    expect(res.status).toBe(201);
  }
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await shelf?.stop();
}, 60_000);

const signedIn = (username: keyof typeof people, pathname: string): Promise<Page> => openSignedIn(browser, shelf.url, username, people[username].password, pathname);

const snap = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

describe('approvals in the browser', () => {
  it('request → the inbox shows it live → approve with a comment → it runs, and the requester sees it', async () => {
    const ada = await signedIn('ada', '/approvals');
    await ada.getByTestId('approvals-empty').waitFor({ timeout: 15_000 });
    // The inbox is live only once the socket is: wait for it, as a person would see "Live".
    await expect.poll(() => ada.getByTestId('connection-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('live');

    const rita = await signedIn('rita', '/catalog/approval-demo');
    await rita.getByTestId('needs-approval').waitFor({ timeout: 15_000 });
    expect(await rita.getByTestId('needs-approval').innerText()).toContain('role:admin');
    await rita.getByLabel(/^New value/).fill('200');
    await rita.getByLabel(/^Why/).fill('Black Friday traffic');
    await rita.getByRole('button', { name: 'Run', exact: true }).click();
    await rita.waitForURL(/\/jobs\/[0-9a-f]{32}$/, { timeout: 15_000 });
    const jobId = rita.url().split('/').pop()!;
    await expect.poll(() => rita.getByTestId('job-state').getAttribute('data-state'), { timeout: 15_000 }).toBe('AWAITING_APPROVAL');
    expect(await rita.getByTestId('approval-status').innerText()).toBe('Waiting for approval by role:admin (0 of 1)');
    expect(await rita.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await snap(rita, '20-approval-requested');

    // Ada's inbox and its count in the navigation change without a reload.
    const row = ada.locator(`[data-testid="approval-row"][data-job-id="${jobId}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.innerText()).toContain('rita');
    await expect.poll(() => ada.getByTestId('approvals-count').innerText(), { timeout: 15_000 }).toMatch(/^1/);
    await snap(ada, '21-approvals-inbox');

    await row.getByRole('link', { name: `Review job ${jobId}` }).click();
    await ada.waitForURL(`${shelf.url}/jobs/${jobId}`, { timeout: 15_000 });
    await ada.getByRole('button', { name: 'Approve' }).waitFor({ timeout: 15_000 });
    const panel = ada.getByTestId('approval-panel');
    expect(await panel.innerText()).toContain('approval-demo@1.0.0');
    await ada.getByLabel(/^Comment/).fill('Approved for the sale weekend');
    await snap(ada, '22-approval-review');
    await ada.getByRole('button', { name: 'Approve' }).click();

    // The requester's page follows the job through the worker to its end.
    await expect.poll(() => rita.getByTestId('job-state').getAttribute('data-state'), { timeout: 90_000 }).toBe('SUCCEEDED');
    await expect.poll(() => rita.getByTestId('approval-history').innerText(), { timeout: 15_000 }).toContain('Approved for the sale weekend');
    expect(await rita.getByTestId('approval-history').innerText()).toContain('ada approved');
    await expect.poll(() => rita.getByTestId('log-viewer').innerText(), { timeout: 15_000 }).toContain('would set pool.max_connections=200 on checkout');
    await snap(rita, '23-approval-approved-and-ran');

    await expect.poll(() => ada.getByTestId('approvals-count').count(), { timeout: 15_000 }).toBe(0);
    await ada.goto(`${shelf.url}/approvals`);
    await ada.getByTestId('approvals-empty').waitFor({ timeout: 15_000 });

    const audit = (await (await fetch(`${shelf.url}/api/audit?action=job.approve`, { headers: asAdmin })).json()) as { items: { actor: string; target: string; outcome: string }[] };
    expect(audit.items).toEqual([expect.objectContaining({ actor: 'ada', target: jobId, outcome: 'ok' })]);
    await ada.context().close();
    await rita.context().close();
  }, 180_000);
});
