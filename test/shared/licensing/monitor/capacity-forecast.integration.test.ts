/**
 * The analyzer-capacity forecast (docs/monitor.md, "Analyzer capacity forecast") through a monitor
 * run against the QRS simulator over real mutual TLS: the projection at the start, middle and end
 * of a month, in time zones whose month changes at another UTC hour, and what the warning, the
 * CloudWatch metrics and the InfluxDB point carry.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { monitorSite } from '#shared/licensing/monitor/monitor-site.ts';
import { usageWarnings } from '#shared/licensing/monitor/usage-warnings.ts';
import type { QrsClient } from '#shared/qrs/client.ts';
import { metricGroups } from '#shared/sinks/cloudwatch/usage.ts';
import { usagePoints } from '#shared/sinks/influxdb/usage.ts';
import { createTestPki, type TestPki } from '#test/simulator/certs.ts';
import type { Simulator } from '#test/simulator/server.ts';
import { emptySite } from '#test/simulator/site.ts';
import { clientFor, startSite } from '#test/support/monitor.ts';
import { memoryLogger } from '#test/support/release.ts';

const DAY_MS = 86_400_000;
const ALARMS = { availableBelow: { professional: 0, analyzer: 0 }, expiryWithinDays: 1 };

let pki: TestPki;
const opened: Array<{ sim: Simulator; client: QrsClient }> = [];
beforeAll(async () => {
  pki = await createTestPki();
});
afterEach(async () => {
  for (const { sim, client } of opened.splice(0)) {
    client.close();
    await sim.close();
  }
});

async function monitorAt(
  now: Date,
  timeZone: string,
  minutes: { allocatedMinutes: number; usedMinutes: number; unavailableMinutes?: number },
) {
  const site = emptySite('capacity', now);
  site.analyzerCapacity = { unavailableMinutes: 0, ...minutes };
  const sim = await startSite(site, pki);
  const client = clientFor(sim);
  opened.push({ sim, client });
  const outcome = await monitorSite({
    source: client,
    site: 'capacity',
    now,
    sinks: [],
    logger: memoryLogger(),
    timeZone,
  });
  if (!outcome.ok) throw new Error(outcome.error);
  const capacityWarnings = usageWarnings(outcome.snapshot, ALARMS).filter(
    (warning) => warning.subject === 'analyzerCapacity',
  );
  return {
    snapshot: outcome.snapshot,
    forecast: outcome.snapshot.capacityForecast,
    capacityWarnings,
  };
}

describe('analyzer capacity forecast', () => {
  it('start of a month: the month is counted from 00:00 in the site time zone, not UTC', async () => {
    // 05:00 UTC on 1 December is still 30 November, 21:00 in Los Angeles.
    const now = new Date('2026-12-01T05:00:00Z');
    const minutes = { allocatedMinutes: 10_000, usedMinutes: 9_000 };

    const utc = await monitorAt(now, 'UTC', minutes);
    const losAngeles = await monitorAt(now, 'America/Los_Angeles', minutes);

    // In UTC, 9,000 minutes in 5 hours: 1,000 left last 1/9 of that, about 33 minutes.
    expect(utc.forecast?.resetsOn).toBe('2027-01-01');
    expect(utc.forecast?.daysLeft).toBeCloseTo(5 / 24 / 9, 6);
    expect(utc.forecast?.runsOutOn).toBe('2026-12-01');
    expect(utc.capacityWarnings).toHaveLength(1);
    expect(utc.capacityWarnings[0]?.message).toMatch(
      /projected to run out on 2026-12-01 .* before the reset on 2027-01-01/,
    );
    // In Los Angeles November has 3 hours to go (reset 08:00 UTC) and the rate is a month's.
    expect(losAngeles.forecast?.resetsAt).toBe('2026-12-01T08:00:00.000Z');
    expect(losAngeles.forecast?.daysToReset).toBeCloseTo(3 / 24, 9);
    expect(losAngeles.forecast?.runsOutBeforeReset).toBe(false);
    expect(losAngeles.capacityWarnings).toEqual([]);
  });

  it('middle of a month: linear use since the 1st decides, in Auckland (UTC+13 in summer)', async () => {
    // 16 December 00:00 in Auckland is 15 December 11:00 UTC; the month started 30 Nov 11:00 UTC.
    const now = new Date('2026-12-15T11:00:00Z');
    const fast = await monitorAt(now, 'Pacific/Auckland', {
      allocatedMinutes: 6_000,
      usedMinutes: 4_500,
    });
    const slow = await monitorAt(now, 'Pacific/Auckland', {
      allocatedMinutes: 6_000,
      usedMinutes: 2_000,
    });

    // 4,500 in 15 days = 300 a day: 1,500 left last 5 days, to 21 December (local).
    expect(fast.forecast?.daysLeft).toBeCloseTo(5, 9);
    expect(fast.forecast?.runsOutOn).toBe('2026-12-21');
    expect(fast.forecast?.resetsAt).toBe('2026-12-31T11:00:00.000Z');
    expect(fast.forecast?.daysToReset).toBeCloseTo(16, 9);
    expect(fast.capacityWarnings[0]?.message).toMatch(
      /run out on 2026-12-21 .*\(5 day\(s\) left\)/,
    );
    // 2,000 in 15 days: 4,000 left last 30 days, past the reset in 16.
    expect(slow.forecast?.daysLeft).toBeCloseTo(30, 9);
    expect(slow.capacityWarnings).toEqual([]);
    // The numbers reach CloudWatch and InfluxDB as they are.
    const group = metricGroups(fast.snapshot).find(([type]) => type === 'analyzer_capacity');
    expect(Object.fromEntries(group?.[1] ?? [])).toMatchObject({
      AnalyzerCapacityDaysLeft: expect.closeTo(5, 9),
      AnalyzerCapacityDaysToReset: expect.closeTo(16, 9),
    });
    const point = usagePoints(fast.snapshot).find(
      (candidate) => candidate.tags.license_type === 'analyzer_capacity',
    );
    expect(point?.fields.map(([name]) => name)).toEqual(
      expect.arrayContaining(['capacity_days_left', 'capacity_days_to_reset']),
    );
  });

  it('end of a month: a few minutes left on the last evening still last till the reset', async () => {
    // 31 January, 20:00 in Stockholm (UTC+1): 4 hours to the reset at 23:00 UTC.
    const now = new Date('2027-01-31T19:00:00Z');
    const lasting = await monitorAt(now, 'Europe/Stockholm', {
      allocatedMinutes: 31_000,
      usedMinutes: 30_800,
    });
    const usedUp = await monitorAt(now, 'Europe/Stockholm', {
      allocatedMinutes: 31_000,
      usedMinutes: 30_900,
      unavailableMinutes: 100,
    });

    expect(lasting.forecast?.daysToReset).toBeCloseTo(4 / 24, 9);
    expect(lasting.forecast?.resetsOn).toBe('2027-02-01');
    expect(lasting.forecast?.runsOutBeforeReset).toBe(false);
    expect(lasting.capacityWarnings).toEqual([]);
    expect(usedUp.forecast).toMatchObject({ daysLeft: 0, runsOutBeforeReset: true });
    expect(usedUp.capacityWarnings[0]?.message).toMatch(/used up: nobody in that pool gets in/);
  });

  it('before any use this month there is no rate: no projection, no warning, no DaysLeft metric', async () => {
    const now = new Date(Date.UTC(2026, 5, 1, 0, 0) + 2 * DAY_MS);
    const { snapshot, forecast, capacityWarnings } = await monitorAt(now, 'UTC', {
      allocatedMinutes: 1_000,
      usedMinutes: 0,
    });

    expect(forecast).toMatchObject({ daysLeft: null, runsOutOn: null, runsOutBeforeReset: false });
    expect(capacityWarnings).toEqual([]);
    const group = metricGroups(snapshot).find(([type]) => type === 'analyzer_capacity');
    const names = (group?.[1] ?? []).filter(([, value]) => value !== null).map(([name]) => name);
    expect(names).not.toContain('AnalyzerCapacityDaysLeft');
    expect(names).toContain('AnalyzerCapacityDaysToReset');
  });
});
