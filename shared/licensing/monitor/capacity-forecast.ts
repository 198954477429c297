/**
 * When the analyzer-capacity minutes run out at this month's rate (docs/monitor.md, "Analyzer
 * capacity forecast"), from one snapshot: the minutes used since the 1st, the minutes left, and
 * the date in the site's time zone. Assumes use grew evenly since the 1st at 00:00 there and that
 * the minutes reset on the 1st of the next month at 00:00 there; minutes QRS reports as
 * unavailable count as gone.
 */
import { wallClockOffset } from '#shared/time-zone.ts';
import type { AnalyzerCapacityUsage } from './snapshot.ts';

const DAY_MS = 86_400_000;

export interface CapacityForecast {
  /** Days until the minutes run out at this month's rate; `null` before any use (no rate yet). */
  daysLeft: number | null;
  /** Days until the monthly reset. */
  daysToReset: number;
  /** When they run out (ISO, UTC), `null` without a rate. */
  runsOutAt: string | null;
  /** That day in the site's time zone (YYYY-MM-DD), what the warning says. */
  runsOutOn: string | null;
  /** The next reset: the 1st of next month, 00:00 in the site's time zone (ISO, UTC). */
  resetsAt: string;
  /** The reset day in the site's time zone (YYYY-MM-01). */
  resetsOn: string;
  /** True when the minutes run out (or have) before the reset: the alarm and the warning. */
  runsOutBeforeReset: boolean;
}

export function forecastAnalyzerCapacity(
  capacity: AnalyzerCapacityUsage | null,
  now: Date,
  timeZone: string,
): CapacityForecast | null {
  if (!capacity || capacity.enabled === false) return null;
  const { allocatedMinutes, usedMinutes } = capacity;
  if (allocatedMinutes === null || usedMinutes === null || allocatedMinutes <= 0) return null;
  const { year, month } = localDate(now, timeZone);
  const monthStart = zonedMidnight(year, month, 1, timeZone);
  const reset = zonedMidnight(
    month === 12 ? year + 1 : year,
    month === 12 ? 1 : month + 1,
    1,
    timeZone,
  );
  const nowMs = now.getTime();
  const daysToReset = (reset - nowMs) / DAY_MS;
  const left = allocatedMinutes - usedMinutes - (capacity.unavailableMinutes ?? 0);
  const base = {
    daysToReset,
    resetsAt: new Date(reset).toISOString(),
    resetsOn: isoDay(new Date(reset), timeZone),
  };
  if (left <= 0)
    return {
      ...base,
      daysLeft: 0,
      runsOutAt: now.toISOString(),
      runsOutOn: isoDay(now, timeZone),
      runsOutBeforeReset: true,
    };
  const elapsedDays = (nowMs - monthStart) / DAY_MS;
  if (usedMinutes <= 0 || elapsedDays <= 0)
    return { ...base, daysLeft: null, runsOutAt: null, runsOutOn: null, runsOutBeforeReset: false };
  const daysLeft = left / (usedMinutes / elapsedDays);
  const runsOut = new Date(nowMs + daysLeft * DAY_MS);
  return {
    ...base,
    daysLeft,
    runsOutAt: runsOut.toISOString(),
    runsOutOn: isoDay(runsOut, timeZone),
    runsOutBeforeReset: daysLeft < daysToReset,
  };
}

function isoDay(instant: Date, timeZone: string): string {
  const { year, month, day } = localDate(instant, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The calendar date of `instant` in `timeZone`. */
function localDate(instant: Date, timeZone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((entry) => entry.type === type)?.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** The instant (ms) of 00:00 on that date in `timeZone`; twice, so a DST change between settles. */
function zonedMidnight(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day);
  const offsetAt = wallClockOffset(timeZone);
  const first = wall - offsetAt(wall);
  return wall - offsetAt(first);
}
