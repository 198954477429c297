/** Reading a release plan and comparing the rules it records: the checks before anything runs. */
import { describe, expect, it } from 'vitest';
import { PlanError, parsePlan, plannedSitesToApply } from '#shared/licensing/release/plan-file.ts';
import { ruleDifferences, rulesRecord } from '#shared/licensing/release/rules-record.ts';
import { releaseConfig } from '#test/support/release.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const ITEM = {
  accessTypeId: '0f0e2a4c-1f2b-4c3d-9e8f-0a1b2c3d4e5f',
  licenseType: 'userAccess',
  userDirectory: 'LAB',
  userId: 'anna',
  lastActivity: '2025-10-01T00:00:00.000Z',
  inactiveDays: 151,
};

function plan(sites: Array<Record<string, unknown>>): string {
  return JSON.stringify({ sites });
}

function site(overrides: Record<string, unknown> = {}) {
  return {
    site: 'prod',
    dryRun: true,
    evaluatedAt: '2026-03-01T02:00:00.000Z',
    candidates: [ITEM],
    kept: [],
    released: [],
    failed: [],
    ...overrides,
  };
}

describe('parsePlan', () => {
  it('reads the candidates of each site, ignoring the keys applying does not need', () => {
    const [entry] = parsePlan(plan([site()]), 'plan.json');

    expect(entry).toEqual({
      site: 'prod',
      evaluatedAt: new Date('2026-03-01T02:00:00.000Z'),
      candidates: [ITEM],
      rules: undefined,
    });
  });

  it.each([
    ['a site listed twice', plan([site(), site({ site: 'PROD' })]), /lists site "PROD" twice/],
    ['no site', plan([]), /holds no site/],
    ['a failed planning run', plan([site({ error: 'QRS down' })]), /planning run failed/],
    [
      'an unknown license type',
      plan([site({ candidates: [{ ...ITEM, licenseType: 'login' }] })]),
      /licenseType/,
    ],
    ['a date that is not a date', plan([site({ evaluatedAt: 'yesterday' })]), /evaluatedAt/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parsePlan(text, 'plan.json')).toThrow(PlanError);
    expect(() => parsePlan(text, 'plan.json')).toThrow(message);
  });
});

describe('plannedSitesToApply', () => {
  const planned = parsePlan(plan([site(), site({ site: 'lab' })]), 'plan.json');
  const sites = [{ name: 'Prod' }, { name: 'lab' }];

  it('pairs every planned site with its configured site, ignoring case', () => {
    const pairs = plannedSitesToApply(planned, sites, { now: NOW });
    expect(pairs.map((pair) => [pair.planned.site, pair.site.name])).toEqual([
      ['prod', 'Prod'],
      ['lab', 'lab'],
    ]);
    expect(plannedSitesToApply(planned, sites, { now: NOW, site: 'LAB' })).toHaveLength(1);
  });

  it('refuses a plan older than the limit, and one made in the future', () => {
    const late = new Date(NOW.getTime() + 15 * 3_600_000);
    expect(() => plannedSitesToApply(planned, sites, { now: late })).toThrow(/more than 24/);
    expect(plannedSitesToApply(planned, sites, { now: late, maxAgeHours: 26 })).toHaveLength(2);
    const early = new Date('2026-03-01T01:00:00.000Z');
    expect(() => plannedSitesToApply(planned, sites, { now: early })).toThrow(/in the future/);
  });
});

describe('ruleDifferences', () => {
  it('is empty for the same rules, whatever the order of list members and their case', () => {
    const planned = rulesRecord(
      releaseConfig({ neverRelease: { tag: ['Keep', 'VIP'], userDirectory: ['ADMIN'] } }),
    );
    const current = rulesRecord(
      releaseConfig({ neverRelease: { tag: ['vip', 'keep'], userDirectory: ['admin'] } }),
    );
    expect(ruleDifferences(JSON.parse(JSON.stringify(planned)), current)).toEqual([]);
  });

  it('names every setting that changed, before and now', () => {
    const planned = rulesRecord(releaseConfig({ maxReleasesPerRun: 50 }));
    const current = rulesRecord(
      releaseConfig({
        maxReleasesPerRun: 10,
        neverRelease: { blocked: 'Yes' },
        licenseType: { userAccess: { enable: true } },
      }),
    );
    expect(ruleDifferences(planned, current)).toEqual([
      'licenseType.userAccess.enable: false in the plan, true now',
      'maxReleasesPerRun: 50 in the plan, 10 now',
      'neverRelease.blocked: Ignore in the plan, Yes now',
    ]);
  });
});
