/**
 * Daylight saving and local-time schedules: a cron time that does not exist on the day the clocks
 * go forward, or happens twice on the day they go back, in the site's time zone. EventBridge
 * Scheduler skips a run whose local time does not exist and runs a repeated local time only once
 * (docs/deploy.md, after AWS's own description); both are legal, so these are warnings, at
 * `cdk synth` and at CLI start. Each day of the coming year is checked with the time zone data of `Intl`.
 */
import { wallClockOffset } from '#shared/time-zone.ts';
import { cronTimes } from './cron-times.ts';
import { formatPath } from './issues.ts';

export interface DstClash {
  /** The local date, `2027-03-28`. */
  date: string;
  /** The local time, `02:30`. */
  time: string;
  kind: 'skipped' | 'repeated';
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The first skipped and the first repeated firing in the `days` days from `from` (at most one of each). */
export function dstClashes(
  expression: string,
  timeZone: string,
  from: Date = new Date(),
  days = 366,
): DstClash[] {
  const wallTimes = firingsByDay(expression, from, days);
  if (wallTimes.length === 0) return [];
  const offset = wallClockOffset(timeZone);
  const found = new Map<DstClash['kind'], DstClash>();
  for (const { dayStart, minutes } of wallTimes) {
    // Quick test: the same offset a day before and two days after means no change near this day.
    if (offset(dayStart - DAY_MS) === offset(dayStart + 2 * DAY_MS)) continue;
    for (const minute of minutes) {
      const wall = dayStart + minute * 60_000;
      const candidates = new Set([offset(wall - DAY_MS), offset(wall + DAY_MS)]);
      const instants = [...candidates].filter((o) => wall - o + offset(wall - o) === wall);
      const kind = instants.length === 0 ? 'skipped' : instants.length > 1 ? 'repeated' : null;
      if (kind && !found.has(kind))
        found.set(kind, { date: isoDate(dayStart), time: hhmm(minute), kind });
    }
    if (found.size === 2) break;
  }
  return [...found.values()];
}

/** Warnings for every enabled schedule of every site, each naming its key. */
export function scheduleDstWarnings(
  sites: ReadonlyArray<{
    timezone: string;
    licenseMonitor: { enable: boolean; schedule: string };
    licenseRelease?: { enable: boolean; schedule: string } | undefined;
  }>,
  from: Date = new Date(),
): string[] {
  return sites.flatMap((site, index) =>
    (['licenseMonitor', 'licenseRelease'] as const).flatMap((job) => {
      const settings = site[job];
      if (!settings?.enable) return [];
      return dstClashes(settings.schedule, site.timezone, from).map(
        (clash) =>
          `${formatPath(['sites', index, job, 'schedule'])}: ${settings.schedule} ${describe(clash, site.timezone)}`,
      );
    }),
  );
}

function describe(clash: DstClash, timeZone: string): string {
  return clash.kind === 'skipped'
    ? `fires at ${clash.time}, which does not exist in ${timeZone} on ${clash.date} (the clocks go forward): EventBridge Scheduler skips that run. Pick a time outside the change, e.g. 04:00`
    : `fires at ${clash.time}, which happens twice in ${timeZone} on ${clash.date} (the clocks go back): EventBridge Scheduler runs it only once. Pick a time outside the change to be sure, e.g. 04:00`;
}

/** Local midnight of each day the schedule fires, as a UTC-based wall clock, with its times. */
function firingsByDay(expression: string, from: Date, days: number) {
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):\d{2}\)$/.exec(expression.trim());
  if (at) {
    const [, y, m, d, h, min] = at.map(Number) as number[];
    return [
      {
        dayStart: Date.UTC(y as number, (m as number) - 1, d),
        minutes: [(h as number) * 60 + (min as number)],
      },
    ];
  }
  const times = cronTimes(expression);
  if (!times) return [];
  const start = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const out: Array<{ dayStart: number; minutes: number[] }> = [];
  for (let day = 0; day < days; day++) {
    const dayStart = start + day * DAY_MS;
    const date = new Date(dayStart);
    if (times.firesOn(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()))
      out.push({ dayStart, minutes: times.timesOfDay });
  }
  return out;
}

function isoDate(dayStart: number): string {
  return new Date(dayStart).toISOString().slice(0, 10);
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}
