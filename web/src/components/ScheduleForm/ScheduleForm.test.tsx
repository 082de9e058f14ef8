// @vitest-environment jsdom
import type { Schedule } from '@shelf/contract';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test } from 'vitest';
import { alice, mockFetch, renderPage } from '../../test/render';
import { ScheduleForm } from './ScheduleForm';

const nextRuns = [1, 2, 3, 4, 5].map((d) => new Date(Date.now() + d * 86_400_000).toISOString());

const answer = (body: Record<string, unknown>): Schedule => ({
  id: 's9',
  name: (body.name as string | undefined) ?? `csv-stats at ${body.cron as string}`,
  itemId: 'csv-stats',
  version: body.version as string,
  inputs: { rows: 3, token: '********' },
  cron: body.cron as string,
  timezone: body.timezone as string,
  enabled: body.enabled as boolean,
  stoppedReason: null,
  owner: alice,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  nextRuns: body.enabled ? nextRuns : [],
  lastRun: null,
});

const refused = (problems: { file: string; path: string; message: string }[]) => () => ({
  status: 422,
  body: { error: { code: 'VALIDATION_FAILED', message: 'the schedule cannot be used', details: { problems } } },
});

function renderForm() {
  return renderPage(<ScheduleForm itemId="csv-stats" version="1.2.0" inputs={{ rows: 3, token: 's3cret' }} />);
}

const posted = (calls: { url: string; init?: RequestInit }[]) =>
  calls.filter((c) => c.url === '/api/schedules' && c.init?.method === 'POST').map((c) => JSON.parse(String(c.init!.body)));

describe('ScheduleForm', () => {
  test('posts the item, its inputs and the timetable, then shows the next five runs', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({ 'POST /api/schedules': (init) => ({ status: 201, body: answer(JSON.parse(String(init!.body))) }) });
    renderForm();

    // The browser's own time zone is preselected, and every IANA zone is offered.
    const zone = screen.getByLabelText<HTMLInputElement>('Time zone');
    expect(zone.value).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    const options = [...document.getElementById(zone.getAttribute('list')!)!.querySelectorAll('option')].map((o) => o.value);
    expect(options).toContain('Europe/Berlin');
    expect(options).toContain('UTC');

    await user.type(screen.getByLabelText('Name (optional)'), 'Weekday stats');
    // An example fills in the cron.
    await user.click(screen.getByRole('button', { name: 'Use 0 9 * * 1-5, weekdays at 9:00' }));
    expect(screen.getByLabelText<HTMLInputElement>('Cron').value).toBe('0 9 * * 1-5');
    await user.clear(zone);
    await user.type(zone, 'Europe/Berlin');
    await user.selectOptions(screen.getByLabelText('Version'), '1.2.0');
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));

    const created = await screen.findByTestId('schedule-created');
    expect(within(created).getByRole('heading').textContent).toBe('Schedule “Weekday stats” created');
    expect(document.activeElement).toBe(within(created).getByRole('heading'));
    expect(within(within(created).getByTestId('created-next-runs')).getAllByRole('listitem')).toHaveLength(5);
    expect(within(created).getAllByRole('listitem')[0]!.querySelector('time')!.getAttribute('datetime')).toBe(nextRuns[0]);
    expect(posted(calls)).toEqual([
      { name: 'Weekday stats', itemId: 'csv-stats', version: '1.2.0', inputs: { rows: 3, token: 's3cret' }, cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', enabled: true },
    ]);
  });

  test('leaves the name out when none is given, follows latest by default, and may start paused', async () => {
    const user = userEvent.setup();
    const calls = mockFetch({ 'POST /api/schedules': (init) => ({ status: 201, body: answer(JSON.parse(String(init!.body))) }) });
    renderForm();
    await user.type(screen.getByLabelText('Cron'), '*/15 * * * *');
    await user.click(screen.getByLabelText('Enabled: run on this timetable from now on'));
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));
    expect((await screen.findByTestId('schedule-created')).textContent).toContain('It is paused');
    const [body] = posted(calls);
    expect(body).not.toHaveProperty('name');
    expect(body).toMatchObject({ version: 'latest', cron: '*/15 * * * *', enabled: false });
  });

  test('shows what the server refused next to the field it concerns', async () => {
    const user = userEvent.setup();
    let refusal = refused([{ file: 'request', path: '/cron', message: '"61 * * * *" cannot be a schedule: bad minute' }]);
    mockFetch({ 'POST /api/schedules': () => refusal() });
    renderForm();
    await user.type(screen.getByLabelText('Cron'), '61 * * * *');
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));
    const cron = screen.getByLabelText('Cron');
    expect((await screen.findByText('"61 * * * *" cannot be a schedule: bad minute')).id).toBe(cron.getAttribute('aria-describedby')!.split(' ')[0]);
    expect(cron.getAttribute('aria-invalid')).toBe('true');

    refusal = refused([{ file: 'request', path: '/timezone', message: '"Mars/Olympus_Mons" is not an IANA time zone' }]);
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));
    expect(await screen.findByText('"Mars/Olympus_Mons" is not an IANA time zone')).toBeTruthy();
    expect(screen.getByLabelText('Time zone').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('Cron').getAttribute('aria-invalid')).toBeNull();
  });

  test('lists refused inputs by their path, not as if they were fields of the schedule', async () => {
    const user = userEvent.setup();
    // An input named like a field of the schedule must not land next to that field.
    mockFetch({
      'POST /api/schedules': refused([
        { file: 'inputs', path: '/rows', message: 'must be integer' },
        { file: 'inputs', path: '/cron', message: 'must be a string' },
      ]),
    });
    renderForm();
    await user.type(screen.getByLabelText('Cron'), '0 9 * * *');
    await user.click(screen.getByRole('button', { name: 'Create schedule' }));
    const problems = await screen.findByRole('alert');
    expect(problems.textContent).toContain('The inputs were refused');
    expect(within(problems).getByText('/rows')).toBeTruthy();
    expect(within(problems).getByText('must be integer')).toBeTruthy();
    expect(screen.getByLabelText('Cron').getAttribute('aria-invalid')).toBeNull();
  });
});
