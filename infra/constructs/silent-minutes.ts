/** The monitor-silent alarm's window, from the site's monitor schedule. */
/**
 * How long without monitor data is "a while": three intervals of a `rate(...)` schedule (at least
 * an hour); for cron and one-off schedules a day and an hour (set aws.alarms.monitorSilentMinutes
 * for anything else).
 */
export function silentMinutesFor(schedule: string): number {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (!rate) return 25 * 60;
  const unit = { minute: 1, hour: 60, day: 1440 }[rate[2] as 'minute' | 'hour' | 'day'];
  return Math.min(Math.max(3 * Number(rate[1]) * unit, 60), 7 * 24 * 60);
}
