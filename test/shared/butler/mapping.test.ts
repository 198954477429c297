/** The small translations of import-butler: later.js frequencies and the X-Qlik-User header. */
import { describe, expect, it } from 'vitest';
import { translateFrequency } from '#shared/butler/map-schedule.ts';
import { parseQlikUser, siteNameFor } from '#shared/butler/map-site.ts';

describe('translateFrequency', () => {
  it.each([
    ['every 6 hours', 'rate(6 hours)'],
    ['Every 15 Minutes', 'rate(15 minutes)'],
    ['every 1 hour', 'rate(1 hour)'],
    ['every 5 mins', 'rate(5 minutes)'],
    ['every 2 days', 'rate(2 days)'],
    ['every day', 'rate(1 day)'],
    ['at 2:00 am', 'cron(0 2 * * ? *)'],
    ['at 12:15 am', 'cron(15 0 * * ? *)'],
    ['at 12:00 pm', 'cron(0 12 * * ? *)'],
    ['at 17:45', 'cron(45 17 * * ? *)'],
    ['at 5pm', 'cron(0 17 * * ? *)'],
    ['at 03:30 every day', 'cron(30 3 * * ? *)'],
    ['every weekday at 3:30 pm', 'cron(30 15 ? * MON-FRI *)'],
    ['at 6:00 am on weekends', 'cron(0 6 ? * SAT,SUN *)'],
    ['rate(1 hour)', 'rate(1 hour)'],
    ['cron(0 4 * * ? *)', 'cron(0 4 * * ? *)'],
  ])('"%s" becomes %s', (frequency, expected) => {
    expect(translateFrequency(frequency)).toMatchObject({ schedule: expected });
  });

  it.each([
    ['every 30 seconds', /more often than once a minute/],
    ['at 10:15 am also at 5:15pm except on Tuesday', /does not translate/],
    ['on the last day of the month', /does not translate/],
    ['at 25:00', /does not translate/],
    ['at 13:00 pm', /does not translate/],
    ['every 0 minutes', /whole number/],
  ])('"%s" is not guessed', (frequency, reason) => {
    const translation = translateFrequency(frequency);
    expect(translation.schedule).toBeUndefined();
    expect(translation).toMatchObject({ reason: expect.stringMatching(reason) });
  });
});

describe('parseQlikUser', () => {
  it.each([
    ['UserDirectory=INTERNAL;UserId=sa_repository', 'INTERNAL', 'sa_repository'],
    ['UserDirectory=Internal; UserId=sa_repository', 'Internal', 'sa_repository'],
    ['userdirectory = LAB ;  userid = butler_svc ', 'LAB', 'butler_svc'],
    ['USERID=sa_api;USERDIRECTORY=INTERNAL', 'INTERNAL', 'sa_api'],
    ['UserDirectory=CORP;UserId=svc=butler;', 'CORP', 'svc=butler'],
  ])('reads "%s"', (header, directory, id) => {
    expect(parseQlikUser(header)).toEqual({ directory, id });
  });

  it.each([
    'UserDirectory=INTERNAL',
    'UserId=sa_api',
    'INTERNAL\\sa_api',
    'UserDirectory=;UserId=x',
  ])('refuses "%s"', (header) => {
    expect(parseQlikUser(header)).toBeUndefined();
  });
});

describe('siteNameFor', () => {
  it('takes --site, else the first label of the QRS host name', () => {
    expect(siteNameFor('qlik.corp.example.com', 'prod')).toBe('prod');
    expect(siteNameFor('Qlik.corp.example.com', undefined)).toBe('qlik');
    expect(siteNameFor('10.11.12.13', undefined)).toBe('qliksense');
  });
});
