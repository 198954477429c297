import { describe, expect, it } from 'vitest';
import { cronTimes, shortestCronGapMinutes } from '#shared/config/cron-times.ts';
import { dstClashes, scheduleDstWarnings } from '#shared/config/schedule-dst.ts';

const JUNE_2026 = new Date('2026-06-01T12:00:00Z');

describe('dstClashes', () => {
  it('finds 02:30 skipped in spring and repeated in autumn in Europe/Stockholm', () => {
    expect(dstClashes('cron(30 2 * * ? *)', 'Europe/Stockholm', JUNE_2026)).toEqual([
      { date: '2026-10-25', time: '02:30', kind: 'repeated' },
      { date: '2027-03-28', time: '02:30', kind: 'skipped' },
    ]);
  });

  it('knows that New York repeats 01:00-02:00 and skips 02:00-03:00', () => {
    expect(dstClashes('cron(0/30 1-2 ? * SUN *)', 'America/New_York', JUNE_2026)).toEqual([
      { date: '2026-11-01', time: '01:00', kind: 'repeated' },
      { date: '2027-03-14', time: '02:00', kind: 'skipped' },
    ]);
  });

  it('follows the southern hemisphere and half-hour changes', () => {
    expect(dstClashes('cron(30 2 * * ? *)', 'Australia/Sydney', JUNE_2026)).toEqual([
      { date: '2026-10-04', time: '02:30', kind: 'skipped' },
      { date: '2027-04-04', time: '02:30', kind: 'repeated' },
    ]);
    // Lord Howe Island moves its clocks by 30 minutes at 02:00: 02:00-02:30 and 01:30-02:00.
    expect(dstClashes('cron(15 2 * * ? *)', 'Australia/Lord_Howe', JUNE_2026)).toEqual([
      { date: '2026-10-04', time: '02:15', kind: 'skipped' },
    ]);
    expect(dstClashes('cron(45 1 * * ? *)', 'Australia/Lord_Howe', JUNE_2026)).toEqual([
      { date: '2027-04-04', time: '01:45', kind: 'repeated' },
    ]);
  });

  it.each([
    'Europe/Stockholm',
    'Europe/London',
    'Europe/Helsinki',
    'America/New_York',
    'America/Los_Angeles',
    'America/Sao_Paulo',
    'America/Santiago',
    'Australia/Sydney',
    'Australia/Adelaide',
    'Pacific/Auckland',
    'UTC',
  ])('has no clash for the default release time 04:00 in %s', (zone) => {
    expect(dstClashes('cron(0 4 * * ? *)', zone, JUNE_2026)).toEqual([]);
  });

  it('checks only the days the schedule fires (European changes are on Sundays)', () => {
    expect(dstClashes('cron(30 2 ? * MON-FRI *)', 'Europe/Stockholm', JUNE_2026)).toEqual([]);
    expect(dstClashes('cron(30 2 ? * SUN *)', 'Europe/Stockholm', JUNE_2026)).toHaveLength(2);
  });

  it('checks a one-time schedule on its date, and never a rate', () => {
    expect(dstClashes('at(2027-03-28T02:30:00)', 'Europe/Stockholm', JUNE_2026)).toEqual([
      { date: '2027-03-28', time: '02:30', kind: 'skipped' },
    ]);
    expect(dstClashes('rate(15 minutes)', 'Europe/Stockholm', JUNE_2026)).toEqual([]);
  });
});

describe('scheduleDstWarnings', () => {
  it('warns for a 02:30 Stockholm release, naming the key and what Scheduler does', () => {
    const warnings = scheduleDstWarnings(
      [
        {
          timezone: 'Europe/Stockholm',
          licenseMonitor: { enable: true, schedule: 'rate(15 minutes)' },
          licenseRelease: { enable: true, schedule: 'cron(30 2 * * ? *)' },
        },
      ],
      JUNE_2026,
    );

    expect(warnings).toEqual([
      expect.stringMatching(
        /^sites\[0\]\.licenseRelease\.schedule: cron\(30 2 \* \* \? \*\) fires at 02:30, which happens twice in Europe\/Stockholm on 2026-10-25 .*runs it only once/,
      ),
      expect.stringMatching(
        /^sites\[0\]\.licenseRelease\.schedule: .*does not exist in Europe\/Stockholm on 2027-03-28 .*skips that run/,
      ),
    ]);
  });

  it('ignores disabled jobs', () => {
    const site = {
      timezone: 'Europe/Stockholm',
      licenseMonitor: { enable: false, schedule: 'cron(30 2 * * ? *)' },
    };
    expect(scheduleDstWarnings([site], JUNE_2026)).toEqual([]);
  });
});

describe('cronTimes', () => {
  it('expands names, ranges, steps and lists', () => {
    const times = cronTimes('cron(0/20 4,6-7 ? JUL WED *)');
    expect(times?.timesOfDay).toEqual([240, 260, 280, 360, 380, 400, 420, 440, 460]);
    expect(times?.firesOn(2027, 7, 7)).toBe(true); // a Wednesday in July
    expect(times?.firesOn(2027, 7, 8)).toBe(false);
    expect(times?.firesOn(2027, 8, 4)).toBe(false);
    // L, W and # depend on the month: counted as "may fire".
    expect(cronTimes('cron(0 4 L * ? *)')?.firesOn(2027, 2, 3)).toBe(true);
    expect(cronTimes('cron(0 4 ? * 2#1 *)')?.firesOn(2027, 2, 3)).toBe(true);
    expect(cronTimes('rate(1 day)')).toBeUndefined();
  });

  it.each([
    ['cron(0/5 * * * ? *)', 5],
    ['cron(0 4,6 * * ? *)', 120],
    ['cron(50 23,0 * * ? *)', 60],
    ['cron(0 4,23 ? * MON *)', 1140],
    ['cron(0 4 * * ? *)', undefined],
  ])('the shortest gap of %s is %s minutes', (expression, gap) => {
    expect(shortestCronGapMinutes(cronTimes(expression) as never)).toBe(gap);
  });
});
