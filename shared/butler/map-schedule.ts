/**
 * Butler's `frequency` (later.js text, read in UTC) as an EventBridge Scheduler expression. The
 * common forms translate: `every N minutes|hours|days` (a rate: the same interval, counted from
 * deployment rather than from midnight) and daily times such as `at 2:00 am` or `at 02:00 every
 * weekday` (a cron in UTC, as Butler ran them). Anything else is reported, never guessed.
 */
import { parseSchedule } from '#shared/config/schedule.ts';

export type Translation =
  | { schedule: string; exact: boolean }
  | { schedule: undefined; reason: string };

const EVERY = /^every (\d+ )?(min|mins|minute|minutes|hr|hrs|hour|hours|day|days)$/;
const SECONDS = /^every (\d+ )?(s|sec|secs|second|seconds)$/;
const AT = /^at (\d{1,2})(?::(\d{2}))? ?(am|pm)?$/;
const DAYS: Record<string, string> = {
  '': '?',
  'every day': '?',
  'every weekday': 'MON-FRI',
  'on weekdays': 'MON-FRI',
  'every weekend': 'SAT,SUN',
  'on weekends': 'SAT,SUN',
};

export function translateFrequency(frequency: string): Translation {
  const text = frequency.trim().toLowerCase().replace(/\s+/g, ' ');
  if (/^(rate|cron|at)\(/.test(text)) return checked(frequency.trim(), true);
  const every = EVERY.exec(text);
  if (every) {
    const count = every[1] ? Number(every[1]) : 1;
    const unit = (every[2] as string).startsWith('m')
      ? 'minutes'
      : (every[2] as string).startsWith('h')
        ? 'hours'
        : 'days';
    return checked(`rate(${count} ${unit})`, false);
  }
  if (SECONDS.test(text))
    return {
      schedule: undefined,
      reason: `"${frequency}" is more often than once a minute, which EventBridge Scheduler cannot do`,
    };
  const daily = dailyTime(text);
  if (daily) return checked(daily, true);
  return {
    schedule: undefined,
    reason: `"${frequency}" is a later.js schedule the importer does not translate`,
  };
}

/** `at 2:00 am`, `at 14:30 every weekday`, `every weekday at 2am` → cron in UTC. */
function dailyTime(text: string): string | undefined {
  for (const [words, dayOfWeek] of Object.entries(DAYS)) {
    const time = words === '' ? text : stripDays(text, words);
    if (time === undefined) continue;
    const match = AT.exec(time);
    if (!match) continue;
    let hour = Number(match[1]);
    const minute = Number(match[2] ?? 0);
    const half = match[3];
    if (half && (hour < 1 || hour > 12)) return undefined;
    if (half === 'am' && hour === 12) hour = 0;
    if (half === 'pm' && hour !== 12) hour += 12;
    if (hour > 23 || minute > 59) return undefined;
    const dayOfMonth = dayOfWeek === '?' ? '*' : '?';
    const weekDays = dayOfWeek === '?' ? '?' : dayOfWeek;
    return `cron(${minute} ${hour} ${dayOfMonth} * ${weekDays} *)`;
  }
  return undefined;
}

function stripDays(text: string, words: string): string | undefined {
  if (text.endsWith(` ${words}`)) return text.slice(0, -words.length - 1);
  if (text.startsWith(`${words} `)) return text.slice(words.length + 1);
  return undefined;
}

function checked(expression: string, exact: boolean): Translation {
  try {
    return { schedule: parseSchedule(expression), exact };
  } catch (error) {
    return { schedule: undefined, reason: (error as Error).message };
  }
}
