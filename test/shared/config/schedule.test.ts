import { describe, expect, it } from 'vitest';
import { parseSchedule } from '#shared/config/schedule.ts';

describe('parseSchedule', () => {
  it.each([
    ['rate(15 minutes)', 'rate(15 minutes)'],
    ['rate(1 hour)', 'rate(1 hour)'],
    ['rate(1 hours)', 'rate(1 hour)'],
    ['every 15 minutes', 'rate(15 minutes)'],
    ['Every 1 day', 'rate(1 day)'],
    ['every 2 hours', 'rate(2 hours)'],
    ['cron(0 2 * * ? *)', 'cron(0 2 * * ? *)'],
    ['cron(15 10 ? * MON-FRI *)', 'cron(15 10 ? * MON-FRI *)'],
    ['cron(0/15 * * * ? *)', 'cron(0/15 * * * ? *)'],
    ['cron(0 8 1 JAN,JUL ? 2027)', 'cron(0 8 1 JAN,JUL ? 2027)'],
    ['at(2026-12-01T02:00:00)', 'at(2026-12-01T02:00:00)'],
  ])('accepts %s', (text, expected) => {
    expect(parseSchedule(text)).toBe(expected);
  });

  it.each([
    ['rate(0 minutes)', /at least|≥ 1|whole number/],
    ['rate(5 weeks)', /rate expression/],
    ['cron(0 2 * * *)', /6: minutes hours/],
    ['cron(0 2 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 25 * * ? *)', /hours field "25"/],
    ['cron(61 2 * * ? *)', /minutes field "61"/],
    ['every fortnight', /not a schedule/],
    ['15 minutes', /not a schedule/],
  ])('rejects %s with a reason', (text, reason) => {
    expect(() => parseSchedule(text)).toThrow(reason);
  });
});
