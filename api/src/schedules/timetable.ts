import cronParser from 'cron-parser';
import type { Problem } from '@shelf/contract';

/** How many fire times a minimum-interval check looks at: enough to see the tightest gap of any common pattern. */
const gapSample = 50;

export type Timetable = { ok: true; nextRuns: (count: number, from?: Date) => string[] } | { ok: false; problems: Problem[] };

const problem = (path: string, message: string): Problem => ({ file: 'request', path, message });

/**
 * A cron expression (5 fields, or 6 with seconds first) read in an IANA time zone, as BullMQ's
 * job schedulers read it (both use cron-parser), checked for what a schedule may be: valid, firing
 * at all, and never twice within `minIntervalSeconds`.
 */
export function timetable(cron: string, timezone: string, minIntervalSeconds: number, now = new Date()): Timetable {
  const problems: Problem[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    problems.push(problem('/timezone', `"${timezone}" is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`));
  }
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    problems.push(problem('/cron', `a cron expression has 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first); "${cron}" has ${fields.length}`));
  }
  if (problems.length) return { ok: false, problems };
  const iterate = (from: Date) => cronParser.parseExpression(cron, { tz: timezone, currentDate: from });
  let times: number[];
  try {
    const it = iterate(now);
    times = Array.from({ length: gapSample }, () => it.next().getTime());
  } catch (err) {
    const reason = /timespan range/i.test((err as Error).message) ? 'it never fires' : (err as Error).message;
    return { ok: false, problems: [problem('/cron', `"${cron}" cannot be a schedule: ${reason}`)] };
  }
  const gap = Math.min(...times.slice(1).map((t, i) => t - times[i]!)) / 1000;
  if (gap < minIntervalSeconds) {
    return { ok: false, problems: [problem('/cron', `"${cron}" fires every ${gap} s; schedules may fire at most every ${minIntervalSeconds} s (SHELF_MIN_SCHEDULE_SECONDS)`)] };
  }
  return {
    ok: true,
    nextRuns: (count, from = new Date()) => {
      const it = iterate(from);
      const out: string[] = [];
      try {
        for (let i = 0; i < count; i++) out.push(it.next().toDate().toISOString());
      } catch {
        // Fewer left than asked (an expression with an end): the ones there are.
      }
      return out;
    },
  };
}
