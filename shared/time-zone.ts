/**
 * A time zone's wall clock from `Intl`, without a time zone library: how far the zone's local time
 * is ahead of UTC at a given instant. Schedules (daylight-saving warnings) and the analyzer
 * capacity forecast (the month in the site's zone) both need it.
 */

/** `utc → offset in ms` (local wall clock minus UTC) for one time zone; the formatter built once. */
export function wallClockOffset(timeZone: string): (utc: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return (utc) => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utc))) parts[part.type] = Number(part.value);
    const wall = Date.UTC(
      parts.year as number,
      (parts.month as number) - 1,
      parts.day,
      parts.hour,
      parts.minute,
      parts.second,
    );
    return wall - Math.floor(utc / 1000) * 1000;
  };
}
