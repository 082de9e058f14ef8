// @vitest-environment jsdom
import type { LogLine } from '@shelf/contract';
import { QueryClientProvider } from '@tanstack/react-query';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { JobSocket } from '../../api/jobSocket';
import { queryKeys } from '../../api/queryKeys';
import { JobEventsProvider } from '../../api/useJobEvents';
import { asWebSocket, FakeWebSocket } from '../../test/fakeWebSocket';
import { mockFetch, testQueryClient, userOf } from '../../test/render';
import { LogViewer } from './LogViewer';
import { formatLogTime } from './logLines';

// jsdom has no layout: give the log box a height, and make scrolling move it, so the virtual
// list renders the rows a browser would.
const viewport = 400;
const layoutProps = ['clientHeight', 'scrollHeight'] as const;
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.getAttribute('role') === 'log' ? viewport : 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return parseFloat((this.firstElementChild as HTMLElement | null)?.style.height ?? '') || 0;
    },
  });
  HTMLElement.prototype.scrollTo = function (this: HTMLElement, options?: ScrollToOptions | number) {
    this.scrollTop = typeof options === 'object' ? (options.top ?? 0) : 0;
    // As in a browser, the scroll event comes after, not during, the call.
    setTimeout(() => this.dispatchEvent(new Event('scroll')));
  } as HTMLElement['scrollTo'];
});
afterAll(() => {
  for (const prop of layoutProps) delete (HTMLElement.prototype as unknown as Record<string, unknown>)[prop];
  delete (HTMLElement.prototype as Partial<HTMLElement>).scrollTo;
});
beforeEach(() => localStorage.clear());

const ts = (seq: number) => new Date(Date.UTC(2025, 0, 1, 10, 0, 0, seq)).toISOString();
const stored = (texts: string[]): LogLine[] => texts.map((line, i) => ({ seq: i + 1, ts: ts(i + 1), stream: 'stdout', line }));

let hash = '';
function HashProbe() {
  hash = useLocation().hash;
  return null;
}

/** The viewer on a job page at `route`, its stored log served in pages of 100 as the API would, the socket open. */
function renderViewer(log: LogLine[], { route = '/jobs/j1', finished = true } = {}) {
  const client = testQueryClient();
  client.setQueryData(queryKeys.me(), userOf('runner'));
  const socket = new JobSocket('ws://test/ws/jobs', {
    WebSocket: asWebSocket,
    logBatchMs: 0,
    fetchLogPage: async (_id, after) => {
      const items = log.filter((l) => l.seq > after).slice(0, 100);
      return { items, next: items.at(-1)?.seq ?? after };
    },
  });
  const result = render(
    <QueryClientProvider client={client}>
      <JobEventsProvider socket={socket}>
        <MemoryRouter initialEntries={[route]}>
          <HashProbe />
          <Routes>
            <Route path="/jobs/:id" element={<LogViewer jobId="j1" finished={finished} />} />
          </Routes>
        </MemoryRouter>
      </JobEventsProvider>
    </QueryClientProvider>,
  );
  const ws = FakeWebSocket.latest();
  act(() => ws.open());
  return { ...result, ws };
}

/** Waits until the backlog is in and the server said the replay is complete. */
async function loaded(ws: FakeWebSocket, lines: number) {
  await waitFor(() => expect(ws.sent).toContainEqual({ subscribe: 'j1', after: lines }));
  act(() => ws.receive({ type: 'subscribed', jobId: 'j1', seq: lines }));
  await waitFor(() => expect(screen.getByTestId('log-status').textContent).toBe(`${lines.toLocaleString()} ${lines === 1 ? 'line' : 'lines'}`));
}

const row = (seq: number) => document.querySelector<HTMLElement>(`[data-seq="${seq}"]`);
const count = () => screen.getByTestId('log-search-count').textContent;
const currentMark = () => document.querySelector('mark[data-current]');

describe('LogViewer', () => {
  test('searches case-insensitively, steps through matches with Enter and Shift+Enter, and keeps counting live lines', async () => {
    const texts = Array.from({ length: 300 }, (_, i) => (i + 1 === 10 || i + 1 === 150 || i + 1 === 290 ? `found the Needle on ${i + 1}` : `line ${i + 1}`));
    const { ws } = renderViewer(stored(texts), { finished: false });
    await loaded(ws, 300);
    const user = userEvent.setup();

    // Ctrl+F inside the viewer goes to the search box.
    screen.getByRole('log', { name: 'Job log' }).focus();
    await user.keyboard('{Control>}f{/Control}');
    const box = screen.getByRole('searchbox', { name: 'Search the log' });
    expect(document.activeElement).toBe(box);

    await user.type(box, 'NEEDLE');
    expect(count()).toBe('1 of 3');
    await waitFor(() => expect(currentMark()?.closest('[data-seq]')?.getAttribute('data-seq')).toBe('10'));
    expect(currentMark()!.textContent).toBe('Needle');

    await user.keyboard('{Enter}');
    expect(count()).toBe('2 of 3');
    await waitFor(() => expect(currentMark()?.closest('[data-seq]')?.getAttribute('data-seq')).toBe('150'));
    expect(row(1)).toBeNull();
    expect(screen.getByText('Paused: scrolled up')).toBeTruthy();
    await user.keyboard('{Shift>}{Enter}{/Shift}{Shift>}{Enter}{/Shift}');
    expect(count()).toBe('3 of 3');
    await waitFor(() => expect(row(290)).not.toBeNull());

    act(() => ws.receive({ type: 'log', jobId: 'j1', seq: 301, stream: 'stdout', line: 'one more needle' }));
    await waitFor(() => expect(count()).toBe('3 of 4'));
    await user.click(screen.getByRole('button', { name: 'Next match' }));
    expect(count()).toBe('4 of 4');

    box.focus();
    await user.keyboard('{Escape}');
    expect((box as HTMLInputElement).value).toBe('');
    expect(document.querySelector('mark')).toBeNull();
  });

  test('takes what the user types as plain text', async () => {
    const { ws } = renderViewer(stored(['cost: $5.00 (est.)', 'cost: 5500', 'a+b']));
    await loaded(ws, 3);
    const box = screen.getByRole('searchbox', { name: 'Search the log' });
    fireEvent.change(box, { target: { value: '$5.00 (' } });
    expect(count()).toBe('1 of 1');
    fireEvent.change(box, { target: { value: '.*' } });
    expect(count()).toBe('No matches');
    expect(screen.getByRole('button', { name: 'Next match' })).toHaveProperty('disabled', true);
  });

  test('folds an ended ::group:: under a button that expands it; a search hit inside opens it', async () => {
    const { ws } = renderViewer(stored(['setup', '::group::Install packages', 'pkg alpha', 'pkg beta', '::endgroup::', 'done']));
    await loaded(ws, 6);
    const toggle = screen.getByRole('button', { name: /Install packages/ });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(toggle.textContent).toContain('(2 lines)');
    expect(row(3)).toBeNull();
    expect(row(5)).toBeNull();
    expect(row(6)).not.toBeNull();

    await userEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(row(3)!.textContent).toContain('pkg alpha');
    // The end marker stays hidden.
    expect(row(5)).toBeNull();
    await userEvent.click(toggle);
    expect(row(3)).toBeNull();

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search the log' }), { target: { value: 'beta' } });
    await waitFor(() => expect(row(4)?.querySelector('mark[data-current]')).not.toBeNull());
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
  });

  test('keeps a running group open, and folds it when it ends', async () => {
    const { ws } = renderViewer(stored(['::group::Compile', 'main.c']), { finished: false });
    await loaded(ws, 2);
    expect(screen.getByRole('button', { name: /Compile/ }).getAttribute('aria-expanded')).toBe('true');
    expect(row(2)).not.toBeNull();
    act(() => {
      ws.receive({ type: 'log', jobId: 'j1', seq: 3, stream: 'stdout', line: 'util.c' });
      ws.receive({ type: 'log', jobId: 'j1', seq: 4, stream: 'stdout', line: '::endgroup::' });
      ws.receive({ type: 'log', jobId: 'j1', seq: 5, stream: 'stdout', line: 'linked' });
    });
    await waitFor(() => expect(row(5)).not.toBeNull());
    expect(screen.getByRole('button', { name: /Compile/ }).getAttribute('aria-expanded')).toBe('false');
    expect(row(2)).toBeNull();
  });

  test('shows timestamps when asked, live lines too, and remembers the choice', async () => {
    const { ws, unmount } = renderViewer(stored(['first', 'second']), { finished: false });
    await loaded(ws, 2);
    expect(screen.queryByTestId('log-time')).toBeNull();
    await userEvent.click(screen.getByRole('checkbox', { name: 'Timestamps' }));
    const times = screen.getAllByTestId('log-time');
    expect(times.map((t) => t.textContent)).toEqual([formatLogTime(ts(1)), formatLogTime(ts(2))]);
    expect(times[0]!.getAttribute('datetime')).toBe(ts(1));
    expect(localStorage.getItem('shelf-log-timestamps')).toBe('on');

    act(() => ws.receive({ type: 'log', jobId: 'j1', seq: 3, stream: 'stdout', line: 'live', ts: ts(3) }));
    await waitFor(() => expect(row(3)).not.toBeNull());
    expect(within(row(3)!).getByTestId('log-time').textContent).toBe(formatLogTime(ts(3)));
    unmount();

    const again = renderViewer(stored(['first']));
    await loaded(again.ws, 1);
    expect(screen.getByRole('checkbox', { name: 'Timestamps' })).toHaveProperty('checked', true);
    expect(screen.getAllByTestId('log-time')).toHaveLength(1);
  });

  test('opens at #L250: scrolls to the line once it has loaded and highlights it; line numbers are permalinks', async () => {
    const texts = Array.from({ length: 400 }, (_, i) => `line ${i + 1}`);
    texts[248] = '::group::Deploy';
    texts[251] = '::endgroup::';
    const { ws } = renderViewer(stored(texts), { route: '/jobs/j1#L250' });
    await loaded(ws, 400);
    await waitFor(() => expect(row(250)?.getAttribute('data-selected')).toBe('true'));
    // Line 250 was folded in a group: opened to show it.
    expect(screen.getByRole('button', { name: /Deploy/ }).getAttribute('aria-expanded')).toBe('true');
    expect(screen.getByText('Paused: scrolled up')).toBeTruthy();
    expect(row(1)).toBeNull();

    const link = within(row(253)!).getByRole('link', { name: 'Line 253' });
    expect(link.getAttribute('href')).toBe('#L253');
    await userEvent.click(link);
    expect(hash).toBe('#L253');
    await waitFor(() => expect(row(253)!.getAttribute('data-selected')).toBe('true'));
    expect(row(250)!.getAttribute('data-selected')).toBeNull();

    fireEvent.click(within(row(256)!).getByRole('link', { name: 'Line 256' }), { shiftKey: true });
    expect(hash).toBe('#L253-L256');
    await waitFor(() => expect(document.querySelectorAll('[data-selected]')).toHaveLength(4));
  });

  test('downloads the whole stored log as text named after the job', async () => {
    const calls = mockFetch({
      'GET /api/jobs/j1/logs?after=0': () => ({ body: { items: stored(['\u001b[32mok\u001b[0m', '::group::G']), next: 2 } }),
      'GET /api/jobs/j1/logs?after=2': () => ({ body: { items: stored(['x', 'y', 'z']).slice(2), next: 3 } }),
      'GET /api/jobs/j1/logs?after=3': () => ({ body: { items: [], next: 3 } }),
    });
    let blob: Blob | undefined;
    const createObjectURL = vi.fn((b: Blob) => ((blob = b), 'blob:log'));
    Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() });
    let fileName = '';
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      fileName = this.download;
    });
    const { ws } = renderViewer(stored(['ok']));
    await loaded(ws, 1);
    await userEvent.click(screen.getByRole('button', { name: 'Download log' }));
    await waitFor(() => expect(fileName).toBe('shelf-job-j1.log'));
    expect(calls.map((c) => c.url)).toEqual(['/api/jobs/j1/logs?after=0', '/api/jobs/j1/logs?after=2', '/api/jobs/j1/logs?after=3']);
    expect(await blob!.text()).toBe('\u001b[32mok\u001b[0m\n::group::G\nz\n');
    click.mockRestore();
  });
});
