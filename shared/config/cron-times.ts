/**
 * When an EventBridge Scheduler cron expression fires, in local wall time: the times of day and
 * whether it fires on a given date. Only what the daylight-saving and run-length checks need;
 * expressions are validated by schedule.ts first. Tokens that depend on the month's shape (`L`,
 * `W`, `#`) count as "may fire on any day", so the checks err towards a warning.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export interface CronTimes {
  /** Minutes after local midnight at which it fires, ascending. */
  timesOfDay: number[];
  /** Whether it fires on this local date (month 1-12). */
  firesOn(year: number, month: number, day: number): boolean;
  /** True when it fires every day of every month and year (no day, month or year filter). */
  everyDay: boolean;
}

/** `cron(...)` → its times; undefined for `rate(...)` and `at(...)`. */
export function cronTimes(expression: string): CronTimes | undefined {
  const match = /^cron\((.+)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = (match[1] as string).split(/\s+/);
  const minuteSet = expand(minutes ?? '*', 0, 59) ?? range(0, 59);
  const hourSet = expand(hours ?? '*', 0, 23) ?? range(0, 23);
  const timesOfDay = hourSet.flatMap((hour) => minuteSet.map((minute) => hour * 60 + minute));
  timesOfDay.sort((a, b) => a - b);
  const days = expand(dayOfMonth ?? '?', 1, 31);
  const months = expand(month ?? '*', 1, 12, MONTHS);
  const weekdays = expand(dayOfWeek ?? '?', 1, 7, DAYS);
  const years = expand(year ?? '*', 1970, 2199);
  const byMonthDay = dayOfMonth !== '?';
  return {
    timesOfDay,
    everyDay:
      [month, year].every((field) => field === '*') && isEvery(byMonthDay ? dayOfMonth : dayOfWeek),
    firesOn(y, m, d) {
      if (years && !years.includes(y)) return false;
      if (months && !months.includes(m)) return false;
      if (byMonthDay) return days === undefined || days.includes(d);
      const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;
      return weekdays === undefined || weekdays.includes(weekday);
    },
  };
}

function isEvery(field: string | undefined): boolean {
  return field === '*' || field === '?';
}

/** The values a field lists; undefined for `L`, `W`, `#` forms (treated as "any"). */
function expand(field: string, min: number, max: number, names?: string[]): number[] | undefined {
  // Month and day names (JUL, WED) hide the letters of L and W: take them out first.
  const plain = names ? field.toUpperCase().replace(new RegExp(names.join('|'), 'g'), '0') : field;
  if (/[LW#]/i.test(plain)) return undefined;
  const value = (text: string) => {
    const index = names?.indexOf(text.toUpperCase()) ?? -1;
    return index >= 0 ? index + 1 : Number(text);
  };
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [base = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (base !== '*' && base !== '?') {
      const [start = '', end] = base.split('-');
      from = value(start);
      to = end === undefined ? (stepText === undefined ? from : max) : value(end);
    }
    // A range that wraps (FRI-MON) runs to the end and starts again at the beginning.
    const span = to >= from ? to - from : max - from + (to - min) + 1;
    for (let offset = 0; offset <= span; offset += step)
      out.add(((from - min + offset) % (max - min + 1)) + min);
  }
  return [...out].sort((a, b) => a - b);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/**
 * The shortest time between two firings in minutes (a lower bound: gaps across midnight count only
 * when it fires every day). Undefined when it fires once a day or less.
 */
export function shortestCronGapMinutes(times: CronTimes): number | undefined {
  const { timesOfDay } = times;
  const gaps = timesOfDay.slice(1).map((time, index) => time - (timesOfDay[index] as number));
  if (times.everyDay && timesOfDay.length > 1)
    gaps.push((timesOfDay[0] as number) + 1440 - (timesOfDay.at(-1) as number));
  return gaps.length > 0 ? Math.min(...gaps) : undefined;
}
